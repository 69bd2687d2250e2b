// The one seeded PRNG of the project: SplitMix64 with our own range
// reduction, so a seed gives the same sequence on every platform and standard
// library (std::uniform_int_distribution and std::shuffle are implementation-
// defined, and the simulator's runs and the tracker's peer lists must be
// reproducible from a seed). Not for secrets: use libsodium for those.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

namespace bc {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n); 0 when n == 0. Lemire's multiply-shift with rejection
  // (arXiv:1805.10941), so no value is favoured; a draw is rejected with
  // probability below n / 2^64, so for small n the sequence is that of the
  // plain multiply-shift.
  uint64_t below(uint64_t n) {
    if (n == 0) return 0;
    unsigned __int128 m = (unsigned __int128)next() * n;
    if (uint64_t(m) < n) {
      const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
      while (uint64_t(m) < threshold) m = (unsigned __int128)next() * n;
    }
    return uint64_t(m >> 64);
  }

  // Uniform in [0, 1), 53 bits.
  double unit() { return double(next() >> 11) / double(1ull << 53); }

  // Puts [first, last) in a uniformly random order (Fisher-Yates over
  // below()), the same order for a seed everywhere, unlike std::shuffle.
  template <class RandomIt>
  void shuffle(RandomIt first, RandomIt last) {
    for (auto n = last - first; n > 1; --n) std::swap(first[n - 1], first[below(uint64_t(n))]);
  }

  // Fills p[0, n) with random bytes (little-endian words of next()).
  void fill(uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; i += 8) {
      const uint64_t v = next();
      std::memcpy(p + i, &v, n - i < 8 ? n - i : 8);
    }
  }

 private:
  uint64_t state_;
};

}  // namespace bc
