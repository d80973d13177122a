#include "nks/registry/recipients.h"

#include <algorithm>

#include "nks/core/ids.h"

namespace nks::registry {

Status LoadRecipientKeys(store::Store& store, std::vector<uint64_t>* keys) {
  keys->clear();
  NKS_RETURN_IF_ERROR(store.ScanPersonNumbers([&](uint64_t n) {
    keys->push_back(RecipientId::Of(*Cpr::FromNumber(n)).key());
    return true;
  }));
  NKS_RETURN_IF_ERROR(store.ScanCompanyNumbers([&](uint64_t n) {
    keys->push_back(RecipientId::Of(*Cvr::FromNumber(n)).key());
    return true;
  }));
  NKS_RETURN_IF_ERROR(store.ScanUnits([&](const store::Unit& u) {
    keys->push_back(u.key);
    return true;
  }));
  // Each scan is in key order and the type sorts first: usually sorted.
  if (!std::is_sorted(keys->begin(), keys->end())) std::sort(keys->begin(), keys->end());
  return Status::Ok();
}

}  // namespace nks::registry
