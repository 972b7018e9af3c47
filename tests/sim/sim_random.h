// A small seeded generator (SplitMix64) whose sequence is the same on every
// platform and library, so a seed replays exactly anywhere.
#pragma once

#include <cstdint>

namespace ts::sim {

class SimRandom {
 public:
  explicit SimRandom(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 0x1234567ull) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  // True with probability per_million / 1,000,000.
  bool Chance(uint64_t per_million) { return Below(1'000'000) < per_million; }

 private:
  uint64_t state_;
};

}  // namespace ts::sim
