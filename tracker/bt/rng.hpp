// A small seeded PRNG (SplitMix64) with our own range reduction, so a seed
// gives the same peer lists on every platform and standard library (the
// simulator's runs must be reproducible; std::uniform_int_distribution and
// std::shuffle are implementation-defined).
#pragma once

#include <cstdint>

namespace bc::tracker::bt {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n). REQUIRES: n > 0. (Multiply-shift; bias < n / 2^64.)
  uint64_t below(uint64_t n) { return uint64_t((unsigned __int128)next() * n >> 64); }

 private:
  uint64_t state_;
};

}  // namespace bc::tracker::bt
