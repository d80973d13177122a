// Who the external registers know, as one sorted list of keys.
#pragma once

#include <cstdint>
#include <vector>

#include "nks/core/status.h"
#include "nks/store/store.h"

namespace nks::registry {

// Replaces `keys` with the sorted RecipientId keys of every person, company
// and SE/P unit in the registers (8 bytes each: 66 MB for the benchmark
// population). Callers check existence with a binary search or merge walk.
Status LoadRecipientKeys(store::Store& store, std::vector<uint64_t>* keys);

}  // namespace nks::registry
