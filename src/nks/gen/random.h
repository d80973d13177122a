// Seeded pseudo-random numbers for the synthetic data generators. Our own
// generators: std:: distributions are implementation-defined, and the same
// seed must give the same bytes with every standard library.
#pragma once

#include <array>
#include <cstdint>

namespace nks::gen {

inline constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

// The splitmix64 finalizer: a bijective 64-bit mix.
inline uint64_t Mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// xoshiro256** seeded through splitmix64 (the authors' recommendation).
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : state_) {
      seed += kGoldenGamma;
      word = Mix64(seed);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }
  // In [0, n). The modulo bias (< n / 2^64) is far below anything visible.
  uint64_t Below(uint64_t n) { return Next() % n; }
  bool Chance(uint32_t per_mille) { return Below(1000) < per_mille; }
  char Digit() { return static_cast<char>('0' + Below(10)); }
  template <typename Table>
  const auto& Pick(const Table& table) {
    return table[Below(table.size())];
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::array<uint64_t, 4> state_{};
};

// Independent streams per purpose, so e.g. the persons do not change when
// only the number of companies does.
inline uint64_t StreamSeed(uint64_t seed, uint64_t stream) {
  return Mix64(seed * kGoldenGamma + Mix64(stream + 1));
}

}  // namespace nks::gen
