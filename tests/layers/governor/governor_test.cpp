// The governor driven over the fluid bottleneck model (layers/governor/link_model.hpp)
// in virtual time. These are correctness tests of the algorithm with explicit
// tolerances, not performance measurements.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "layers/governor/governor.hpp"
#include "layers/governor/scenario.hpp"

using namespace bc::governor;

namespace {

constexpr double kTargetMs = 25;

size_t count(const Trace& t, GovernorEventKind k, int64_t from_ms = 0, int64_t to_ms = INT64_MAX) {
  return size_t(std::count_if(t.events.begin(), t.events.end(), [&](const TimedEvent& e) {
    return e.event.kind == k && e.t_ms >= from_ms && e.t_ms < to_ms;
  }));
}

// Smallest mean throughput of governor g over consecutive windows of window_ms.
double worst_window_throughput(const Trace& t, size_t g, int64_t from_ms, int64_t to_ms, int64_t window_ms) {
  double worst = 1e18;
  for (int64_t w = from_ms; w + window_ms <= to_ms; w += window_ms)
    worst = std::min(worst, mean_throughput(t, g, w, w + window_ms));
  return worst;
}

// Feeds a governor by hand: one tick per call, RTT samples given.
struct Driver {
  Governor gov;
  WanPolicy policy;
  int64_t now_ms = 0;
  int64_t unix_s = 1'699'862'400 - 60;  // Monday 07:59 UTC
  GovernorDecision last;

  GovernorDecision tick(std::vector<double> rtts, double used_fraction = 1.0, int64_t loss = 0) {
    now_ms += 200;
    GovernorInput in;
    in.now_ms = now_ms;
    in.unix_time_s = unix_s + now_ms / 1000;
    in.rtt_samples_ms = rtts;
    // A 10 Mbit/s link that never queues: above it the flow is link-limited.
    double limit = last.down_limit_bytes_per_s == kNoLimit ? 1e7 : double(last.down_limit_bytes_per_s);
    in.bytes_down = int64_t(std::min(limit * used_fraction, 1.25e6) * 0.2);
    in.loss_events = loss;
    last = gov.tick(in, policy);
    return last;
  }
};

// For unit tests of one mechanism: no periodic slowdown gets in the way.
GovernorOptions without_slowdowns() {
  GovernorOptions o;
  o.slowdown_interval_ms = 100'000'000;
  return o;
}

bool has(const GovernorDecision& d, GovernorEventKind k) {
  return std::any_of(d.events.begin(), d.events.end(), [&](const GovernorEvent& e) { return e.kind == k; });
}

}  // namespace

TEST_CASE("default governor options are valid and bad ones are named") {
  CHECK(GovernorOptions{}.validate().ok());
  GovernorOptions o;
  o.backoff_hardest = 0.95;
  auto s = o.validate();
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("backoff_hardest") != std::string::npos);
  o = {};
  o.delay.route_change_buckets = o.delay.buckets;
  CHECK_FALSE(Governor::create(o).ok());
}

TEST_CASE("after a step in cross traffic the added delay is back under target within seconds and >= 85% of the spare capacity is taken") {
  NamedScenario n = named_scenario("step");  // cross 0 -> 60% of C at t = 60 s
  Trace t = run_scenario(n.spec);
  // Before the step: the link alone is filled.
  CHECK(spare_share(t, 30'000, 60'000) >= 0.85);
  // The step builds a queue; within 5 s it is back under the target.
  CHECK(delay_percentile_ms(t, 60'000, 65'000, 100) > kTargetMs);
  CHECK(delay_percentile_ms(t, 65'000, 70'000, 100) <= kTargetMs);
  // Steady state.
  CHECK(spare_share(t, n.settle_from_ms, n.spec.duration_ms) >= 0.85);
  CHECK(delay_percentile_ms(t, n.settle_from_ms, n.spec.duration_ms, 95) <= kTargetMs);
  CHECK(count(t, GovernorEventKind::slowdown_start) >= 3);
}

TEST_CASE("a slow drift of the base RTT (+20 ms over 10 min) neither collapses the rate nor runs the queue away") {
  NamedScenario n = named_scenario("drift");
  Trace t = run_scenario(n.spec);
  int64_t end = n.spec.duration_ms;
  double spare = 0.7 * t.capacity_bytes_per_s;
  CHECK(worst_window_throughput(t, 0, 60'000, end, 30'000) >= 0.5 * spare);  // no collapse
  CHECK(spare_share(t, 60'000, end) >= 0.8);
  CHECK(delay_percentile_ms(t, 60'000, end, 99) <= 1.5 * kTargetMs);  // no runaway
  CHECK(max_limit(t, 0, 60'000, end) <= 1.2 * t.capacity_bytes_per_s);
}

TEST_CASE("a route change up is adopted as the new base within about two minutes and a change down at once") {
  NamedScenario n = named_scenario("route");  // base 40 -> 80 ms at 120 s, -> 30 ms at 420 s
  Trace t = run_scenario(n.spec);
  double spare = 0.7 * t.capacity_bytes_per_s;
  // The jump looks like 40 ms of queue: the governor backs off, as it must...
  CHECK(mean_throughput(t, 0, 130'000, 160'000) < 0.2 * spare);
  // ...until the route-change rule adopts the new base.
  CHECK(count(t, GovernorEventKind::route_change, 120'000, 260'000) == 1);
  CHECK(mean_throughput(t, 0, 270'000, 420'000) >= 0.85 * spare);
  // Down: the lower RTT is simply a new minimum; no dip.
  CHECK(worst_window_throughput(t, 0, 420'000, 720'000, 30'000) >= 0.7 * spare);
  CHECK(delay_percentile_ms(t, 270'000, 720'000, 99) <= 1.5 * kTargetMs);
}

TEST_CASE("random loss makes the governor back off and it recovers") {
  NamedScenario n = named_scenario("loss");
  Trace t = run_scenario(n.spec);
  CHECK(count(t, GovernorEventKind::loss_backoff) >= 5);
  CHECK(spare_share(t, n.settle_from_ms, n.spec.duration_ms) >= 0.6);
  CHECK(delay_percentile_ms(t, n.settle_from_ms, n.spec.duration_ms, 95) <= kTargetMs);
  // Recovers: after each loss backoff the rate is back above 80% of spare within 20 s somewhere.
  double spare = 0.7 * t.capacity_bytes_per_s;
  CHECK(max_limit(t, 0, n.settle_from_ms, n.spec.duration_ms) >= 0.8 * spare);
}

TEST_CASE("a latecomer governor on the same link converges to a fair share while the delay stays near target") {
  NamedScenario n = named_scenario("latecomer");  // second governor starts at 60 s
  Trace t = run_scenario(n.spec);
  int64_t from = 240'000, to = n.spec.duration_ms;  // 3 minutes after the latecomer arrived
  double a = mean_throughput(t, 0, from, to);
  double b = mean_throughput(t, 1, from, to);
  INFO("rates " << a << " / " << b);
  CHECK(std::max(a, b) / std::min(a, b) <= 1.5);
  CHECK((a + b) / t.capacity_bytes_per_s >= 0.85);
  CHECK(delay_percentile_ms(t, from, to, 95) <= 1.2 * kTargetMs);
  // The latecomer did get in early: within 2 minutes it has a third of the link.
  CHECK(mean_throughput(t, 1, 150'000, 180'000) >= 0.33 * t.capacity_bytes_per_s);
}

TEST_CASE("a hard cap is respected exactly and reached when the link has room") {
  NamedScenario n = named_scenario("step");
  n.spec.policy.default_caps.download = RateCap::absolute(300'000);
  Trace t = run_scenario(n.spec);
  CHECK(max_limit(t, 0, 0, n.spec.duration_ms) == 300'000);
  CHECK(mean_throughput(t, 0, 120'000, 180'000) >= 0.95 * 300'000);
  CHECK(count(t, GovernorEventKind::cap_applied) >= 1);
}

TEST_CASE("the floor holds when the link is saturated by cross traffic") {
  NamedScenario n = named_scenario("step");
  n.spec.cross_bytes_per_s = [c = n.spec.link.capacity_bytes_per_s](int64_t) { return 1.2 * c; };
  Trace t = run_scenario(n.spec);
  CHECK(min_limit(t, 0, 0, n.spec.duration_ms) == double(n.spec.policy.floor_bytes_per_s));
  CHECK(max_limit(t, 0, 30'000, n.spec.duration_ms) == double(n.spec.policy.floor_bytes_per_s));
}

TEST_CASE("a time-window change takes effect on the next tick") {
  Driver d;
  d.policy.link_down_bytes_per_s = 1'000'000;
  TimeWindow w;
  w.days = kAllDays;
  w.start_min = 8 * 60;
  w.end_min = 18 * 60;
  w.caps.download = RateCap::share(10);
  d.policy.windows = {w};
  // 07:59: grow with an empty queue for a while.
  while (d.unix_s + d.now_ms / 1000 < 1'699'862'400 - 2) d.tick({40, 40});
  CHECK(d.last.window_index == -1);
  CHECK(d.last.down_limit_bytes_per_s > 100'000);
  while (d.unix_s + (d.now_ms + 200) / 1000 < 1'699'862'400) d.tick({40, 40});
  GovernorDecision at8 = d.tick({40, 40});  // the first tick at 08:00
  CHECK(at8.window_index == 0);
  CHECK(has(at8, GovernorEventKind::window_changed));
  CHECK(has(at8, GovernorEventKind::cap_applied));
  CHECK(at8.down_limit_bytes_per_s == 100'000);
}

TEST_CASE("without latency awareness the limit is exactly the cap, or unlimited") {
  Driver d;
  d.policy.latency_aware = false;
  CHECK(d.tick({40}).down_limit_bytes_per_s == kNoLimit);
  CHECK(d.tick({400}).down_limit_bytes_per_s == kNoLimit);  // delay is ignored
  d.policy.default_caps.download = RateCap::absolute(777'777);
  CHECK(d.tick({400}).down_limit_bytes_per_s == 777'777);
}

TEST_CASE("a budget share from the tracker caps the rate like a policy cap") {
  Driver d;
  for (int i = 0; i < 200; ++i) d.tick({40});
  CHECK(d.last.down_limit_bytes_per_s > 200'000);
  GovernorInput in;
  in.now_ms = d.now_ms + 200;
  in.budget_down_bytes_per_s = 50'000;
  std::vector<double> rtts = {40};
  in.rtt_samples_ms = rtts;
  in.bytes_down = 10'000;
  CHECK(d.gov.tick(in, d.policy).down_limit_bytes_per_s == 50'000);
}

TEST_CASE("queuing delay above target cuts the rate multiplicatively, by more the further above") {
  auto cut_at = [](double rtt) {
    Driver d{Governor(without_slowdowns())};
    for (int i = 0; i < 100; ++i) d.tick({40});
    double before = d.gov.rate_bytes_per_s(Direction::down);
    GovernorDecision r = d.tick({rtt, rtt, rtt, rtt});  // fills the min-of-4 filter
    CHECK(has(r, GovernorEventKind::backoff));
    return d.gov.rate_bytes_per_s(Direction::down) / before;
  };
  double mild = cut_at(40 + 27);
  double hard = cut_at(40 + 80);
  CHECK(mild == doctest::Approx(0.9 - 0.4 * 2.0 / 25).epsilon(0.01));
  double harder = cut_at(40 + 50);
  CHECK(hard == doctest::Approx(0.5 * 50 / 80));  // beyond 2 x target: x0.5 x 2 x target / delay
  CHECK(harder == doctest::Approx(0.5));
  CHECK(cut_at(40 + 500) == doctest::Approx(0.25));  // never below backoff_extreme
}

TEST_CASE("a loss signal halves the rate once per hold period") {
  Driver d{Governor(without_slowdowns())};
  for (int i = 0; i < 100; ++i) d.tick({40});
  double before = d.gov.rate_bytes_per_s(Direction::down);
  GovernorDecision r = d.tick({40}, 1.0, 3);
  CHECK(has(r, GovernorEventKind::loss_backoff));
  CHECK(d.gov.rate_bytes_per_s(Direction::down) == doctest::Approx(before * 0.5));
  r = d.tick({40}, 1.0, 1);  // within the hold: not cut again
  CHECK_FALSE(has(r, GovernorEventKind::loss_backoff));
}

TEST_CASE("an application-limited direction does not grow its allowance") {
  Driver d;
  for (int i = 0; i < 50; ++i) d.tick({40}, 0.2);  // uses 20% of its limit
  CHECK(d.last.down_limit_bytes_per_s == GovernorOptions{}.initial_rate_bytes_per_s);
}

TEST_CASE("without RTT samples the rate holds, then decays slowly to the floor") {
  Driver d;
  for (int i = 0; i < 200; ++i) d.tick({40});
  int64_t before = d.last.down_limit_bytes_per_s;
  for (int i = 0; i < 25; ++i) d.tick({});  // 5 s: hold
  CHECK(d.last.down_limit_bytes_per_s == before);
  GovernorDecision r = d.tick({});
  CHECK(has(r, GovernorEventKind::samples_stale));
  CHECK(r.down_limit_bytes_per_s < before);
  CHECK(r.down_limit_bytes_per_s > before * 0.95);  // slowly
  for (int i = 0; i < 3000; ++i) d.tick({});        // 10 min
  CHECK(d.last.down_limit_bytes_per_s == d.policy.floor_bytes_per_s);
  for (int i = 0; i < 50; ++i) d.tick({40});  // samples return: growth resumes
  CHECK(d.last.down_limit_bytes_per_s > d.policy.floor_bytes_per_s);
}

TEST_CASE("a sample gap inside a scenario holds the rate and recovers after it") {
  NamedScenario n = named_scenario("step");
  n.spec.gap_from_ms = 30'000;
  n.spec.gap_to_ms = 50'000;
  Trace t = run_scenario(n.spec);
  CHECK(count(t, GovernorEventKind::samples_stale) == 1);
  CHECK(min_limit(t, 0, 30'000, 50'000) >= 0.5 * t.capacity_bytes_per_s);  // slow decay, no collapse
  CHECK(spare_share(t, n.settle_from_ms, n.spec.duration_ms) >= 0.85);
}

TEST_CASE("ticks whose clock does not advance or steps back change no rate") {
  Driver d;
  for (int i = 0; i < 20; ++i) d.tick({40});
  double rate = d.gov.rate_bytes_per_s(Direction::down);
  GovernorInput in;
  in.now_ms = d.now_ms - 5'000;
  std::vector<double> rtts = {400, 400};
  in.rtt_samples_ms = rtts;
  in.loss_events = 0;
  d.gov.tick(in, d.policy);
  in.now_ms = d.now_ms;
  d.gov.tick(in, d.policy);
  CHECK(d.gov.rate_bytes_per_s(Direction::down) == rate);
}

TEST_CASE("garbage RTT samples are ignored") {
  Driver d;
  for (int i = 0; i < 20; ++i) d.tick({40});
  GovernorDecision r = d.tick({-1, 0, 1e9, std::numeric_limits<double>::quiet_NaN(), 41});
  CHECK(r.base_delay_ms == 40);
  CHECK(r.queuing_delay_ms >= 0);
}

TEST_CASE("the capacity estimate follows the sustained throughput at acceptable delay") {
  NamedScenario n = named_scenario("step");
  n.spec.duration_ms = 60'000;  // no cross traffic: the governor alone fills the link
  // Read the estimate through a percent cap that needs it.
  n.spec.policy.default_caps.download = RateCap::share(50);
  Trace t = run_scenario(n.spec);
  // Until something is measured the 50% cap is the floor; the estimate then
  // only ever sees what the cap allowed: the conservative fixed point is the floor.
  CHECK(max_limit(t, 0, 0, 60'000) <= double(n.spec.policy.floor_bytes_per_s));

  CapacityEstimator est;
  for (int64_t ms = 200; ms <= 10'000; ms += 200) est.on_tick(ms, 200, 200'000, 20.0, 25);  // 1 MB/s at 20 ms
  CHECK(est.estimate_bytes_per_s() == doctest::Approx(1'000'000).epsilon(0.01));
  for (int64_t ms = 10'200; ms <= 20'000; ms += 200) est.on_tick(ms, 200, 400'000, 90.0, 25);  // too much delay
  CHECK(est.estimate_bytes_per_s() == doctest::Approx(1'000'000).epsilon(0.01));
}

TEST_CASE("periodic slowdowns re-measure a base delay inflated by a standing queue, and without them it stays inflated") {
  // The path's true base is 40 ms; while the governor sends, a standing queue
  // adds 30 ms (its own, or a queue that was there when it started). Only a
  // slowdown lets the queue drain and shows the true base.
  auto run = [](GovernorOptions opts) {
    Driver d{Governor(opts)};
    double base_seen = 0;
    for (int i = 0; i < 5 * 60 * 5; ++i) {  // 5 minutes of 200 ms ticks
      double rtt = d.last.in_slowdown ? 40 : 70;
      base_seen = d.tick({rtt, rtt, rtt, rtt}).base_delay_ms;
    }
    return base_seen;
  };
  CHECK(run(GovernorOptions{}) == 40);
  CHECK(run(without_slowdowns()) == 70);
}

TEST_CASE("slowdowns cost a small fraction of the time, also when the base drifts") {
  for (const char* name : {"step", "drift"}) {
    NamedScenario n = named_scenario(name);
    Trace t = run_scenario(n.spec);
    int64_t in_slowdown_ms = 0, start = -1;
    for (const auto& e : t.events) {
      if (e.event.kind == GovernorEventKind::slowdown_start) start = e.t_ms;
      if (e.event.kind == GovernorEventKind::slowdown_end && start >= 0) in_slowdown_ms += e.t_ms - start, start = -1;
    }
    INFO(name);
    CHECK(in_slowdown_ms > 0);
    CHECK(double(in_slowdown_ms) / double(n.spec.duration_ms) <= 0.03);
  }
}

TEST_CASE("with the link capacity declared the governor behaves alike on 1 Mbit/s and 100 Mbit/s links") {
  for (double c : {125e3, 12.5e6}) {
    for (const char* name : {"step", "latecomer"}) {
      NamedScenario n = named_scenario(name, c, true);
      Trace t = run_scenario(n.spec);
      INFO(name << " at " << c << " B/s");
      CHECK(spare_share(t, n.settle_from_ms, n.spec.duration_ms) >= 0.85);
      CHECK(delay_percentile_ms(t, n.settle_from_ms, n.spec.duration_ms, 95) <= 1.1 * kTargetMs);
    }
  }
}

TEST_CASE("the setpoint fraction moves where growth stops and cuts begin; the backoff threshold widens the band to the trim") {
  auto cuts_at = [](GovernorOptions o, double qd_ms) {
    Driver d{Governor(o)};
    for (int i = 0; i < 100; ++i) d.tick({40});
    GovernorDecision r = d.tick({40 + qd_ms, 40 + qd_ms, 40 + qd_ms, 40 + qd_ms});
    return has(r, GovernorEventKind::backoff);
  };
  GovernorOptions o = without_slowdowns();
  CHECK_FALSE(cuts_at(o, 20));  // 20 ms < 25 ms target
  o.setpoint_fraction = 0.5;    // aims at 12.5 ms
  CHECK(cuts_at(o, 20));
  o.backoff_threshold = 2.0;    // cuts only above 25 ms; the trim acts between
  CHECK_FALSE(cuts_at(o, 20));
  CHECK(cuts_at(o, 30));
  o.setpoint_fraction = 0;
  CHECK_FALSE(o.validate().ok());
  o = {};
  o.backoff_threshold = 0.5;
  CHECK(o.validate().message().find("backoff_threshold") != std::string::npos);
}

TEST_CASE("after a delay cut the rate comes back fast to delay_recover_fraction of the rate cut, once the queue drained") {
  auto rate_after = [](double recover) {
    GovernorOptions o = without_slowdowns();
    o.delay_recover_fraction = recover;
    Driver d{Governor(o)};
    for (int i = 0; i < 100; ++i) d.tick({40});
    const double before = d.gov.rate_bytes_per_s(Direction::down);
    d.tick({140, 140, 140, 140});  // 100 ms of queue: a deep cut
    CHECK(d.gov.rate_bytes_per_s(Direction::down) < 0.5 * before);
    for (int i = 0; i < 10; ++i) d.tick({40, 40, 40, 40});  // 2 s, drained
    return d.gov.rate_bytes_per_s(Direction::down) / before;
  };
  const double plain = rate_after(0);
  const double fast = rate_after(0.9);
  CHECK(fast >= 0.85);
  CHECK(fast <= 0.9 + 0.05);  // then additive growth again
  CHECK(plain < 0.6);
}

TEST_CASE("with initial_link_fraction the first rate is that share of a declared link, else the initial rate") {
  GovernorOptions o;
  o.initial_link_fraction = 0.1;
  Driver d{Governor(o)};
  d.policy.link_down_bytes_per_s = 6'250'000;  // 50 Mbit/s
  d.tick({20});
  CHECK(d.gov.rate_bytes_per_s(Direction::down) >= 625'000);
  Driver plain{Governor(o)};  // no declared link
  plain.tick({20});
  CHECK(plain.gov.rate_bytes_per_s(Direction::down) <= 2.0 * double(o.initial_rate_bytes_per_s));
}

TEST_CASE("a queue before the ramp has doubled the rate cuts but does not end slow start, unless it stays") {
  // At the initial rate, base 40 ms, one tick of 60 ms of queue (someone
  // else's burst, or the node's own manifest fetch), then drained or still
  // queued.
  auto run = [](double after_ms) {
    Driver d{Governor(without_slowdowns())};
    d.tick({40});
    d.tick({100, 100, 100, 100, 100, 100});  // past the 4-sample current filter
    CHECK(has(d.last, GovernorEventKind::backoff));
    const double at_spike = d.gov.rate_bytes_per_s(Direction::down);
    for (int i = 0; i < 15; ++i) d.tick({after_ms});  // 3 s
    return d.gov.rate_bytes_per_s(Direction::down) / at_spike;
  };
  // Drained: slow start goes on (x1.2 per 200 ms tick at full headroom).
  CHECK(run(40) >= 8.0);
  // A queue at the exit fraction after the hold: slow start ends, growth is
  // additive (or none) from there.
  CHECK(run(40 + 0.6 * kTargetMs) < 1.5);
}
