// The rollout history: a bounded ring per branch, rates over a window, ETAs.
#include <doctest/doctest.h>

#include "tracker/service/status_history.hpp"

using namespace bc::tracker;

namespace {
StatusSample at(int64_t t, int64_t wan, int64_t base_done = -1) {
  StatusSample s;
  s.time = t;
  s.wan_bytes = wan;
  if (base_done >= 0) s.layers["base@2"] = {0, 2, base_done, 1000};
  return s;
}
}  // namespace

TEST_CASE("the WAN rate is the growth of the branch's origin bytes over the rate window") {
  StatusHistory h({.keep_s = 3600, .rate_window_s = 10});
  h.record("a", at(100, 0));
  CHECK(h.wan_rate("a") == 0.0);  // one sample: no rate yet
  h.record("a", at(102, 2000));
  CHECK(h.wan_rate("a") == doctest::Approx(1000.0));
  h.record("a", at(104, 2000));
  CHECK(h.wan_rate("a") == doctest::Approx(500.0));  // 2000 bytes over 100..104
  for (int64_t t = 106; t <= 130; t += 2) h.record("a", at(t, 2000));
  CHECK(h.wan_rate("a") == 0.0);  // the burst left the window
  h.record("a", at(132, 0));      // a node restarted: its cumulative count fell
  CHECK(h.wan_rate("a") == 0.0);
  CHECK(h.wan_rate("unknown") == 0.0);
}

TEST_CASE("layer rates give ETAs, unknown without two samples holding the layer") {
  StatusHistory h;
  h.record("a", at(100, 0));
  h.record("a", at(102, 0, 100));
  CHECK_FALSE(h.layer_rate("a", "base@2").has_value());  // the older sample lacks the layer
  h.record("a", at(104, 0, 300));
  REQUIRE(h.layer_rate("a", "base@2").has_value());
  CHECK(*h.layer_rate("a", "base@2") == doctest::Approx(100.0));
  auto eta = eta_s(1000 - 300, h.layer_rate("a", "base@2"));
  REQUIRE(eta.has_value());
  CHECK(*eta == doctest::Approx(7.0));
  CHECK(eta_s(0, std::nullopt) == 0.0);
  CHECK_FALSE(eta_s(10, 0.0).has_value());
  CHECK_FALSE(eta_s(10, std::nullopt).has_value());
}

TEST_CASE("the history keeps one hour, at most max_samples, replaces same-second samples and forgets deleted branches") {
  StatusHistory h({.keep_s = 60, .rate_window_s = 10, .max_samples = 20, .max_branches = 2});
  for (int64_t t = 0; t <= 100; t += 2) h.record("a", at(t, t));
  auto all = h.since("a", 0);
  REQUIRE(!all.empty());
  CHECK(all.size() == 20);
  CHECK(all.back().time == 100);
  CHECK(h.since("a", 96).size() == 3);
  h.record("a", at(100, 555));  // same second: replaces
  CHECK(h.since("a", 100).size() == 1);
  CHECK(h.since("a", 100)[0].wan_bytes == 555);

  StatusHistory k({.keep_s = 60});
  for (int64_t t = 0; t <= 100; t += 2) k.record("a", at(t, t));
  CHECK(k.since("a", 0).front().time == 40);  // older than newest - keep_s dropped

  h.record("b", at(1, 1));
  h.record("c", at(1, 1));  // a third branch is over max_branches
  CHECK(h.since("c", 0).empty());
  CHECK(h.dropped() == 1);
  h.retain({"b"});
  CHECK(h.since("a", 0).empty());
  CHECK(h.since("b", 0).size() == 1);
}
