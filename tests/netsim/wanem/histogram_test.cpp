#include "netsim/wanem/histogram.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace bc::netsim {
namespace {

TEST_CASE("histogram percentiles are within 1% of the exact order statistics") {
  LatencyHistogram h;
  for (std::int64_t v = 1; v <= 100'000; ++v) h.add(v * 997);  // up to ~100 ms
  CHECK(h.count() == 100'000);
  for (double q : {0.5, 0.9, 0.95, 0.99}) {
    double exact = q * 100'000 * 997;
    double got = static_cast<double>(h.percentile_ns(q));
    CHECK(std::abs(got - exact) / exact < 0.01);
  }
  CHECK(h.min_ns() == 997);
  CHECK(h.max_ns() == 100'000 * 997);
  CHECK(h.percentile_ns(1.0) == h.max_ns());
}

TEST_CASE("histogram handles empty and zero and negative and huge values") {
  LatencyHistogram h;
  CHECK(h.percentile_ns(0.5) == 0);
  h.add(-5);
  h.add(0);
  CHECK(h.percentile_ns(0.99) == 0);
  h.add(std::int64_t{1} << 50);  // beyond the last octave: lands in the last bucket
  CHECK(h.max_ns() == std::int64_t{1} << 50);
  CHECK(h.percentile_ns(1.0) > 0);
  h.clear();
  CHECK(h.count() == 0);
}

TEST_CASE("small values are counted exactly") {
  LatencyHistogram h;
  for (int i = 0; i < 100; ++i) h.add(i);
  CHECK(h.percentile_ns(0.5) == 49);
  CHECK(h.percentile_ns(0.01) == 0);
}

}  // namespace
}  // namespace bc::netsim
