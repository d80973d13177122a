// The open-addressing map under the resolution index: lookups, overwrite,
// backward-shift deletion inside and across probe runs (also where a run
// wraps past the last slot), growth, and a model test against
// std::unordered_map.
#include "nks/register/flat_map.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <ostream>
#include <unordered_map>
#include <vector>

namespace nks::reg {
namespace {

// The map's home slot of `key` in a table of `capacity` slots (same
// finaliser as FlatU64Map::Slot), to build colliding keys on purpose.
size_t HomeSlot(uint64_t key, size_t capacity) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  return static_cast<size_t>(key) & (capacity - 1);
}

// The first `n` keys (from 1 up) whose home slot in a 16-slot table is `slot`.
std::vector<uint64_t> KeysWithHome(size_t slot, size_t n) {
  std::vector<uint64_t> keys;
  for (uint64_t k = 1; keys.size() < n; ++k) {
    if (HomeSlot(k, 16) == slot) keys.push_back(k);
  }
  return keys;
}

uint64_t GetOr(const FlatU64Map& m, uint64_t key, uint64_t absent) {
  uint64_t v = absent;
  return m.Get(key, &v) ? v : absent;
}

TEST(FlatU64MapTest, EmptyMapFindsNothing) {
  FlatU64Map m;
  uint64_t v = 77;
  EXPECT_FALSE(m.Get(1, &v));
  EXPECT_EQ(v, 77u);  // untouched when absent
  EXPECT_FALSE(m.Contains(0x0100000000000001ULL));
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.memory_bytes(), 16u * 16u);
}

TEST(FlatU64MapTest, PutThenGetReturnsTheValue) {
  FlatU64Map m;
  m.Put(42, 4200);
  m.Put(0xFF00000000000001ULL, 0);  // a zero value is a value
  m.Put(~uint64_t{0}, 9);
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(GetOr(m, 42, 1), 4200u);
  EXPECT_EQ(GetOr(m, 0xFF00000000000001ULL, 1), 0u);
  EXPECT_EQ(GetOr(m, ~uint64_t{0}, 1), 9u);
  EXPECT_FALSE(m.Contains(43));
}

TEST(FlatU64MapTest, PutOfAnExistingKeyOverwritesWithoutGrowing) {
  FlatU64Map m;
  m.Put(7, 1);
  m.Put(7, 2);
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(GetOr(m, 7, 0), 2u);
}

TEST(FlatU64MapTest, EraseRemovesOnlyThatKey) {
  FlatU64Map m;
  m.Put(1, 10);
  m.Put(2, 20);
  m.Erase(1);
  EXPECT_FALSE(m.Contains(1));
  EXPECT_EQ(GetOr(m, 2, 0), 20u);
  EXPECT_EQ(m.size(), 1u);
  m.Erase(1);  // absent: nothing happens
  m.Erase(99);
  EXPECT_EQ(m.size(), 1u);
  m.Put(1, 11);  // and it can come back
  EXPECT_EQ(GetOr(m, 1, 0), 11u);
  EXPECT_EQ(m.size(), 2u);
}

// Puts `keys` in order into a fresh 16-slot map, erases `victim`, and checks
// that every other key is still found with its value.
void ExpectEraseKeepsTheOthers(const std::vector<uint64_t>& keys, uint64_t victim) {
  SCOPED_TRACE(::testing::Message() << "erasing " << victim);
  FlatU64Map m;
  for (uint64_t k : keys) m.Put(k, k + 1000);
  ASSERT_EQ(m.memory_bytes(), 16u * 16u);  // still the 16-slot table
  m.Erase(victim);
  EXPECT_FALSE(m.Contains(victim));
  EXPECT_EQ(m.size(), keys.size() - 1);
  for (uint64_t k : keys) {
    if (k == victim) continue;
    EXPECT_EQ(GetOr(m, k, 0), k + 1000) << "key " << k;
  }
}

TEST(FlatU64MapTest, EraseShiftsBackOnlyEntriesThatMayMoveBeforeTheirHome) {
  // Probe run from slot 3, in insertion order:
  //   slot 3: a (home 3), 4: b (home 3), 5: c (home 5, at home),
  //   6: d (home 3), 7: e (home 4).
  // Erasing a must move b and d back but leave c at its home; a wrong shift
  // of c to slot 4 would make it unfindable from slot 5.
  const std::vector<uint64_t> home3 = KeysWithHome(3, 3);
  const uint64_t c = KeysWithHome(5, 1)[0];
  const uint64_t e = KeysWithHome(4, 1)[0];
  const std::vector<uint64_t> keys = {home3[0], home3[1], c, home3[2], e};
  for (uint64_t victim : keys) ExpectEraseKeepsTheOthers(keys, victim);
}

TEST(FlatU64MapTest, EraseShiftsBackCorrectlyWhenTheRunWrapsPastTheLastSlot) {
  // Probe run from slot 14 around the end of the table:
  //   14: a (home 14), 15: b (home 14), 0: c (home 0, at home),
  //   1: d (home 14), 2: f (home 15), 3: g (home 1).
  const std::vector<uint64_t> home14 = KeysWithHome(14, 3);
  const uint64_t c = KeysWithHome(0, 1)[0];
  const uint64_t f = KeysWithHome(15, 1)[0];
  const uint64_t g = KeysWithHome(1, 1)[0];
  const std::vector<uint64_t> keys = {home14[0], home14[1], c, home14[2], f, g};
  for (uint64_t victim : keys) ExpectEraseKeepsTheOthers(keys, victim);
}

TEST(FlatU64MapTest, ErasingFromALongCollisionRunKeepsTheOthersFindable) {
  std::vector<uint64_t> keys = KeysWithHome(3, 8);
  const std::vector<uint64_t> later = {KeysWithHome(4, 1)[0], KeysWithHome(11, 1)[0],
                                       KeysWithHome(12, 1)[0]};
  keys.insert(keys.end(), later.begin(), later.end());
  for (uint64_t victim : keys) ExpectEraseKeepsTheOthers(keys, victim);
}

TEST(FlatU64MapTest, ErasingEveryKeyInAnyOrderLeavesItEmpty) {
  std::vector<uint64_t> keys = KeysWithHome(9, 6);
  const std::vector<uint64_t> more = KeysWithHome(10, 4);
  keys.insert(keys.end(), more.begin(), more.end());
  FlatU64Map m;
  for (uint64_t k : keys) m.Put(k, k);
  // Erase in an interleaved order, checking the rest each time.
  const std::vector<size_t> order = {3, 0, 9, 5, 1, 7, 2, 8, 4, 6};
  std::vector<bool> gone(keys.size(), false);
  for (size_t idx : order) {
    m.Erase(keys[idx]);
    gone[idx] = true;
    for (size_t i = 0; i < keys.size(); ++i) {
      EXPECT_EQ(m.Contains(keys[i]), !gone[i]) << "after erasing " << keys[idx];
    }
  }
  EXPECT_EQ(m.size(), 0u);
}

TEST(FlatU64MapTest, GrowsAndKeepsEveryEntry) {
  FlatU64Map m;
  constexpr uint64_t kCount = 100000;
  constexpr uint64_t kSpread = 0x9E3779B97F4A7C15ULL;
  for (uint64_t i = 1; i <= kCount; ++i) {
    m.Put(i * kSpread, i);  // odd multiplier: distinct and never 0
  }
  EXPECT_EQ(m.size(), kCount);
  // Load factor at most 3/4: at least 4/3 slots per entry, and a power of two.
  const size_t slots = m.memory_bytes() / 16;
  EXPECT_GE(slots * 3, kCount * 4);
  EXPECT_EQ(slots & (slots - 1), 0u);
  for (uint64_t i = 1; i <= kCount; ++i) {
    ASSERT_EQ(GetOr(m, i * kSpread, 0), i) << i;
  }
  EXPECT_FALSE(m.Contains((kCount + 1) * kSpread));
}

TEST(FlatU64MapTest, TwelveEntriesFitSixteenSlotsAndTheThirteenthGrowsTheTable) {
  FlatU64Map m;
  for (uint64_t k = 1; k <= 12; ++k) m.Put(k, k);
  EXPECT_EQ(m.memory_bytes(), 16u * 16u);
  m.Put(13, 13);
  EXPECT_EQ(m.memory_bytes(), 32u * 16u);
  for (uint64_t k = 1; k <= 13; ++k) EXPECT_EQ(GetOr(m, k, 0), k);
}

TEST(FlatU64MapTest, ReserveSizesTheTableAndKeepsEntries) {
  FlatU64Map m;
  m.Put(5, 50);
  m.Reserve(1000);
  // The smallest power of two with 3/4 of it >= 1000 is 2048.
  EXPECT_EQ(m.memory_bytes(), 2048u * 16u);
  EXPECT_EQ(GetOr(m, 5, 0), 50u);
  EXPECT_EQ(m.size(), 1u);
  m.Reserve(10);  // never shrinks
  EXPECT_EQ(m.memory_bytes(), 2048u * 16u);
  for (uint64_t k = 100; k < 1100; ++k) m.Put(k, k);
  EXPECT_EQ(m.memory_bytes(), 2048u * 16u);  // no rehash needed
  EXPECT_EQ(m.size(), 1001u);
}

// ---- Model test ----

enum class OpKind { kPut, kErase, kGet };
struct Op {
  OpKind kind;
  uint64_t key;
  uint64_t value;
};

void showValue(const Op& op, std::ostream& os) {
  static const char* const kNames[] = {"Put", "Erase", "Get"};
  os << kNames[static_cast<int>(op.kind)] << "(" << op.key << ", " << op.value << ")";
}

// A small key space, so probe runs collide, merge and wrap; values small so
// overwrites are visible.
rc::Gen<Op> GenOp(uint64_t key_space) {
  return rc::gen::build<Op>(
      rc::gen::set(&Op::kind, rc::gen::weightedElement<OpKind>(
                                  {{5, OpKind::kPut}, {3, OpKind::kErase}, {2, OpKind::kGet}})),
      rc::gen::set(&Op::key, rc::gen::inRange<uint64_t>(1, key_space + 1)),
      rc::gen::set(&Op::value, rc::gen::inRange<uint64_t>(0, 1000)));
}

void RunModel(const std::vector<Op>& ops, uint64_t key_space) {
  FlatU64Map m;
  std::unordered_map<uint64_t, uint64_t> model;
  for (const Op& op : ops) {
    switch (op.kind) {
      case OpKind::kPut:
        m.Put(op.key, op.value);
        model[op.key] = op.value;
        break;
      case OpKind::kErase:
        m.Erase(op.key);
        model.erase(op.key);
        break;
      case OpKind::kGet: {
        uint64_t v = 0;
        const bool found = m.Get(op.key, &v);
        const auto it = model.find(op.key);
        RC_ASSERT(found == (it != model.end()));
        if (found) RC_ASSERT(v == it->second);
        break;
      }
    }
    RC_ASSERT(m.size() == model.size());
  }
  for (uint64_t k = 1; k <= key_space; ++k) {
    uint64_t v = 0;
    const bool found = m.Get(k, &v);
    const auto it = model.find(k);
    RC_ASSERT(found == (it != model.end()));
    if (found) RC_ASSERT(v == it->second);
  }
}

RC_GTEST_PROP(FlatU64MapProperty, BehavesLikeUnorderedMapOverASmallKeySpace, ()) {
  constexpr uint64_t kKeySpace = 24;  // up to 24 keys: the table grows from 16 to 32 slots
  const auto ops = *rc::gen::container<std::vector<Op>>(GenOp(kKeySpace));
  RunModel(ops, kKeySpace);
}

RC_GTEST_PROP(FlatU64MapProperty, BehavesLikeUnorderedMapWithLongSequences, ()) {
  constexpr uint64_t kKeySpace = 200;
  const auto ops = *rc::gen::resize(2000, rc::gen::container<std::vector<Op>>(GenOp(kKeySpace)));
  RunModel(ops, kKeySpace);
}

}  // namespace
}  // namespace nks::reg
