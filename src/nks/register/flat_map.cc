#include "nks/register/flat_map.h"

#include <cstring>

namespace nks::reg {

void FlatU64Map::Rehash(size_t capacity) {
  std::vector<Entry> old;
  old.swap(slots_);
  slots_.assign(capacity, Entry{0, 0});
  mask_ = capacity - 1;
  size_ = 0;
  for (const Entry& e : old) {
    if (e.key != 0) Put(e.key, e.value);
  }
}

void FlatU64Map::Reserve(size_t n) {
  size_t capacity = 16;
  while (capacity * 3 / 4 < n) capacity *= 2;
  if (capacity > slots_.size()) Rehash(capacity);
}

void FlatU64Map::Put(uint64_t key, uint64_t value) {
  NKS_CHECK(key != 0);
  if ((size_ + 1) * 4 > slots_.size() * 3) Rehash(slots_.size() * 2);
  size_t i = Slot(key);
  while (slots_[i].key != 0 && slots_[i].key != key) i = (i + 1) & mask_;
  if (slots_[i].key == 0) ++size_;
  slots_[i] = Entry{key, value};
}

void FlatU64Map::Erase(uint64_t key) {
  if (key == 0) return;
  size_t i = Slot(key);
  while (slots_[i].key != key) {
    if (slots_[i].key == 0) return;
    i = (i + 1) & mask_;
  }
  // Backward shift: move later entries of the probe run into the hole so
  // lookups never stop early at it.
  size_t hole = i;
  size_t j = i;
  while (true) {
    j = (j + 1) & mask_;
    if (slots_[j].key == 0) break;
    size_t home = Slot(slots_[j].key);
    bool between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (!between) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Entry{0, 0};
  --size_;
}

Status FlatU64Map::SaveTo(SnapshotWriter& out) const {
  const uint64_t size = size_;
  NKS_RETURN_IF_ERROR(out.Section(&size, sizeof size));
  return out.Vector(slots_);
}

Status FlatU64Map::LoadFrom(SnapshotReader& in, size_t slots_max) {
  std::string size_bytes;
  NKS_RETURN_IF_ERROR(in.Section(&size_bytes, sizeof(uint64_t)));
  if (size_bytes.size() != sizeof(uint64_t)) return Status::Corruption("hash table: bad size field");
  uint64_t size = 0;
  std::memcpy(&size, size_bytes.data(), sizeof size);
  std::vector<Entry> slots;
  NKS_RETURN_IF_ERROR(in.Vector(&slots, slots_max));
  const size_t capacity = slots.size();
  if (capacity < 16 || (capacity & (capacity - 1)) != 0 || size * 4 > capacity * 3) {
    return Status::Corruption("hash table: impossible capacity or size");
  }
  slots_ = std::move(slots);
  mask_ = capacity - 1;
  size_ = static_cast<size_t>(size);
  return Status::Ok();
}

}  // namespace nks::reg
