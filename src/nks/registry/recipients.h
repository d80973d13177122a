// Who the external registers know: every person, company and SE/P unit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nks/core/snapshot_file.h"
#include "nks/core/status.h"
#include "nks/store/store.h"

namespace nks::registry {

// Replaces `keys` with the sorted RecipientId keys of every person, company
// and SE/P unit in the registers (8 bytes each: 66 MB for the benchmark
// population). Callers check existence with a binary search or merge walk.
Status LoadRecipientKeys(store::Store& store, std::vector<uint64_t>* keys);

// The same keys as a hash set for intake's existence check: one cache miss
// a lookup where a binary search over 8 M keys takes ~10. Open addressing
// with linear probing, at most half full (8 bytes a slot: 128 MiB for the
// benchmark population's 8.3 M keys). Immutable once built.
class RecipientSet {
 public:
  RecipientSet() = default;
  explicit RecipientSet(const std::vector<uint64_t>& keys);

  bool Contains(uint64_t key) const {
    if (key == 0 || slots_.empty()) return false;
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      if (slots_[i] == key) return true;
      if (slots_[i] == 0) return false;
    }
  }
  size_t size() const { return size_; }

  Status SaveTo(SnapshotWriter& out) const;
  Status LoadFrom(SnapshotReader& in);

 private:
  size_t Slot(uint64_t key) const {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return static_cast<size_t>(key) & mask_;
  }

  std::vector<uint64_t> slots_;  // 0: empty
  size_t mask_ = 0;
  size_t size_ = 0;
};

// The registers' recipients, from the snapshot at `snapshot_path` when it
// was taken from this store at its current registry generation, else from
// the store (~1 s at 8.3 M keys), and then the snapshot is written anew.
// An empty `snapshot_path` always reads the store.
Result<RecipientSet> LoadRecipientSet(store::Store& store, const std::string& snapshot_path);

}  // namespace nks::registry
