#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <numeric>
#include <vector>

#include "layers/util/rng.hpp"

using namespace bc;

TEST_CASE("SplitMix64: a seed gives the reference sequence (Vigna's splitmix64.c, seed 0)") {
  SplitMix64 r(0);
  CHECK(r.next() == 0xE220A8397B1DCDAFull);
  CHECK(r.next() == 0x6E789E6AA1B965F4ull);
  CHECK(r.next() == 0x06C45D188009454Full);
}

TEST_CASE("SplitMix64: the same seed repeats the same draws, another seed does not") {
  SplitMix64 a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.below(1000);
    CHECK(x == b.below(1000));
    differs |= x != c.below(1000);
  }
  CHECK(differs);
}

TEST_CASE("SplitMix64::below stays below n, reaches every value, and is 0 for n == 0") {
  SplitMix64 r(7);
  CHECK(r.below(0) == 0);
  CHECK(r.below(1) == 0);
  std::array<int, 10> seen{};
  for (int i = 0; i < 10000; ++i) {
    const uint64_t x = r.below(10);
    REQUIRE(x < 10);
    ++seen[x];
  }
  // Each value 1,000 times expected; 800 is more than six standard deviations off.
  for (int count : seen) CHECK(count > 800);
  const uint64_t big = (1ull << 63) + 12345;  // rejection matters only for large n
  for (int i = 0; i < 1000; ++i) CHECK(r.below(big) < big);
}

TEST_CASE("SplitMix64::below for small n is the plain multiply-shift (seeded sequences kept)") {
  SplitMix64 r(99), raw(99);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t expect = uint64_t((unsigned __int128)raw.next() * 6 >> 64);
    CHECK(r.below(6) == expect);
  }
}

TEST_CASE("SplitMix64::unit is at least 0 and below 1, and fill is deterministic to the last odd byte") {
  SplitMix64 r(3);
  for (int i = 0; i < 1000; ++i) {
    const double u = r.unit();
    CHECK(u >= 0.0);
    CHECK(u < 1.0);
  }
  std::vector<uint8_t> x(13), y(13);
  SplitMix64(5).fill(x.data(), x.size());
  SplitMix64(5).fill(y.data(), y.size());
  CHECK(x == y);
  SplitMix64(6).fill(y.data(), y.size());
  CHECK(x != y);
}

TEST_CASE("SplitMix64::shuffle permutes, repeats for a seed and changes with it") {
  std::vector<int> a(50), b(50), c(50);
  std::iota(a.begin(), a.end(), 0);
  b = c = a;
  SplitMix64(11).shuffle(a.begin(), a.end());
  SplitMix64(11).shuffle(b.begin(), b.end());
  SplitMix64(12).shuffle(c.begin(), c.end());
  CHECK(a == b);
  CHECK(a != c);
  std::vector<int> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 50; ++i) CHECK(sorted[i] == i);
}
