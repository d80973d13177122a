#include "nks/registry/recipients.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "nks/core/ids.h"

namespace nks::registry {
namespace {

// "NKSRCP" and the format version.
constexpr uint64_t kRecipientSnapshotKind = 0x4e4b5352435001ULL;
constexpr size_t kSlotsMax = size_t{1} << 31;

}  // namespace

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

RecipientSet::RecipientSet(const std::vector<uint64_t>& keys) {
  size_t capacity = 16;
  while (capacity < 2 * keys.size()) capacity *= 2;
  slots_.assign(capacity, 0);
  mask_ = capacity - 1;
  for (uint64_t key : keys) {
    NKS_CHECK(key != 0);
    size_t i = Slot(key);
    while (slots_[i] != 0 && slots_[i] != key) i = (i + 1) & mask_;
    if (slots_[i] == 0) ++size_;
    slots_[i] = key;
  }
}

Status RecipientSet::SaveTo(SnapshotWriter& out) const {
  const uint64_t size = size_;
  NKS_RETURN_IF_ERROR(out.Section(&size, sizeof size));
  return out.Vector(slots_);
}

Status RecipientSet::LoadFrom(SnapshotReader& in) {
  std::string size_bytes;
  NKS_RETURN_IF_ERROR(in.Section(&size_bytes, sizeof(uint64_t)));
  uint64_t size = 0;
  if (size_bytes.size() != sizeof size) return Status::Corruption("recipient set: bad size field");
  std::memcpy(&size, size_bytes.data(), sizeof size);
  std::vector<uint64_t> slots;
  NKS_RETURN_IF_ERROR(in.Vector(&slots, kSlotsMax));
  if (slots.size() < 16 || (slots.size() & (slots.size() - 1)) != 0 || size * 2 > slots.size()) {
    return Status::Corruption("recipient set: impossible capacity or size");
  }
  slots_ = std::move(slots);
  mask_ = slots_.size() - 1;
  size_ = static_cast<size_t>(size);
  return Status::Ok();
}

Result<RecipientSet> LoadRecipientSet(store::Store& store, const std::string& snapshot_path) {
  NKS_ASSIGN_OR_RETURN(store::StoreIdentity identity, store.Identity());
  const SnapshotKey key{kRecipientSnapshotKind, identity.store_id, identity.registry_generation, 0, 0};
  if (!snapshot_path.empty()) {
    std::optional<SnapshotReader> in = SnapshotReader::Open(snapshot_path, kRecipientSnapshotKind);
    if (in && in->key() == key) {
      RecipientSet set;
      // A damaged cache is rebuilt from the store below.
      if (set.LoadFrom(*in).ok() && in->Finish().ok()) return set;
    }
  }
  std::vector<uint64_t> keys;
  NKS_RETURN_IF_ERROR(LoadRecipientKeys(store, &keys));
  RecipientSet set(keys);
  if (!snapshot_path.empty()) {
    // A cache: a failed write only makes the next intake start slower.
    auto out = SnapshotWriter::Create(snapshot_path, key);
    if (out.ok() && set.SaveTo(*out).ok()) (void)out->Finish();
  }
  return set;
}

}  // namespace nks::registry
