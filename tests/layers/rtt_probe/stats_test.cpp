#include <doctest/doctest.h>

#include <vector>

#include "layers/rtt_probe/rtt_stats.hpp"

using namespace bc::rtt_probe;

TEST_CASE("rtt stats: nearest-rank percentiles of 1..100 ms, and zeros for no samples") {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);  // unsorted input
  RttSummary s = summarize_rtt(v);
  CHECK(s.count == 100);
  CHECK(s.min_ms == 1);
  CHECK(s.p50_ms == 50);
  CHECK(s.p95_ms == 95);
  CHECK(s.p99_ms == 99);
  CHECK(s.max_ms == 100);
  CHECK(s.mean_ms == doctest::Approx(50.5));
  RttSummary one = summarize_rtt({7.5});
  CHECK(one.p50_ms == 7.5);
  CHECK(one.p99_ms == 7.5);
  CHECK(summarize_rtt({}).count == 0);
  CHECK(summarize_rtt({}).p99_ms == 0);
}
