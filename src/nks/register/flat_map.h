// An open-addressing hash map from non-zero uint64 keys to uint64 values:
// 16 bytes a slot, linear probing, backward-shift deletion, load factor at
// most 3/4. One cache miss per lookup on a hit, which is what makes
// resolution cheap (see BENCHMARKS.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nks/core/snapshot_file.h"
#include "nks/core/status.h"

namespace nks::reg {

class FlatU64Map {
 public:
  FlatU64Map() { Rehash(16); }

  // `key` must not be 0 (the empty-slot marker).
  void Put(uint64_t key, uint64_t value);
  // Returns false when absent.
  bool Get(uint64_t key, uint64_t* value) const {
    if (key == 0) return false;  // never stored: 0 marks an empty slot
    size_t i = Slot(key);
    while (true) {
      const Entry& e = slots_[i];
      if (e.key == key) {
        *value = e.value;
        return true;
      }
      if (e.key == 0) return false;
      i = (i + 1) & mask_;
    }
  }
  bool Contains(uint64_t key) const {
    uint64_t v;
    return Get(key, &v);
  }
  void Erase(uint64_t key);
  void Reserve(size_t n);
  size_t size() const { return size_; }
  size_t memory_bytes() const { return slots_.capacity() * sizeof(Entry); }

  // The table as it is in memory, slot for slot (register/snapshot.h).
  Status SaveTo(SnapshotWriter& out) const;
  // Replaces the contents with a table SaveTo wrote. Corruption when the
  // sections cannot be such a table (capacity not a power of two, too full).
  Status LoadFrom(SnapshotReader& in, size_t slots_max);

 private:
  struct Entry {
    uint64_t key;
    uint64_t value;
  };
  size_t Slot(uint64_t key) const {
    // murmur3 finaliser: spreads the packed type+number keys.
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return static_cast<size_t>(key) & mask_;
  }
  void Rehash(size_t capacity);

  std::vector<Entry> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace nks::reg
