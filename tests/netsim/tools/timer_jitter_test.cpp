// The machine-jitter reference used beside the emulator's accuracy tests.
#include <doctest/doctest.h>

#include <algorithm>

#include "netsim/tools/timer_jitter.hpp"

namespace bc::netsim {
namespace {

TEST_CASE("timer jitter options outside their ranges are refused with the field named") {
  TimerJitterOptions o;
  o.period_us = 10;
  CHECK(o.validate().to_string().find("period_us") != std::string::npos);
  o = {};
  o.duration_ms = 0;
  CHECK(o.validate().to_string().find("duration_ms") != std::string::npos);
  o = {};
  o.realtime_priority = 100;
  CHECK(o.validate().to_string().find("realtime_priority") != std::string::npos);
  CHECK_FALSE(measure_timer_jitter(o).ok());
}

TEST_CASE("every deadline of the run is served once and none early") {
  TimerJitterOptions o;
  o.period_us = 1000;
  o.duration_ms = 200;
  auto r = measure_timer_jitter(o);
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  // Deadlines at start + k ms for k = 1..199, each recorded once even when a
  // stall covers several of them.
  CHECK(r->lateness_ns.size() == 199);
  CHECK(r->lateness_ns.front() >= 0);
  CHECK(std::is_sorted(r->lateness_ns.begin(), r->lateness_ns.end()));
}

TEST_CASE("timer jitter percentiles are nearest-rank over the samples") {
  TimerJitterResult r;
  CHECK(r.percentile_ns(0.95) == 0);
  for (std::int64_t i = 1; i <= 100; ++i) r.lateness_ns.push_back(i * 10);
  CHECK(r.percentile_ns(0.5) == 500);
  CHECK(r.percentile_ns(0.95) == 950);
  CHECK(r.percentile_ns(1.0) == 1000);
  CHECK(r.max_ns() == 1000);
}

}  // namespace
}  // namespace bc::netsim
