// Issue #17 in virtual time: the governor fills an idle link within 2 s, a
// loss with an empty queue is not congestion (with a full one it is), and a
// periodic slowdown hands back the rate it took away at once.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "layers/governor/governor.hpp"
#include "layers/governor/scenario.hpp"

using namespace bc::governor;

namespace {

constexpr double kTargetMs = 25;

// The first tick (ms) whose throughput reaches `share` of the link; -1 = never.
int64_t time_to_share(const Trace& t, double share) {
  for (const auto& r : t.rows)
    if (r.throughput_bytes_per_s[0] >= share * t.capacity_bytes_per_s) return r.t_ms;
  return -1;
}

// An idle link (no cross traffic, a 50 ms buffer) of `mbit` and `rtt_ms`.
ScenarioSpec idle_link(double mbit, double rtt_ms, GovernorOptions o = {}) {
  ScenarioSpec s;
  s.duration_ms = 20'000;
  s.link.capacity_bytes_per_s = mbit * 125'000;
  s.link.buffer_ms = 50;
  s.base_rtt_ms = [rtt_ms](int64_t) { return rtt_ms; };
  s.options = o;
  return s;
}

// One tick per call, 200 ms apart, the flow using its whole limit.
struct Driver {
  Governor gov;
  WanPolicy policy;
  int64_t now_ms = 0;
  GovernorDecision last;

  GovernorDecision tick(std::vector<double> rtts, int64_t loss = 0, double used = 1.0) {
    now_ms += 200;
    GovernorInput in;
    in.now_ms = now_ms;
    in.unix_time_s = 1'700'000'000 + now_ms / 1000;
    in.rtt_samples_ms = rtts;
    double limit = last.down_limit_bytes_per_s == kNoLimit ? 1e7 : double(last.down_limit_bytes_per_s);
    in.bytes_down = int64_t(limit * used * 0.2);
    in.loss_events = loss;
    last = gov.tick(in, policy);
    return last;
  }
};

GovernorOptions without_slowdowns() {
  GovernorOptions o;
  o.slowdown_interval_ms = 100'000'000;
  return o;
}

bool has(const GovernorDecision& d, GovernorEventKind k) {
  return std::any_of(d.events.begin(), d.events.end(), [&](const GovernorEvent& e) { return e.kind == k; });
}

}  // namespace

TEST_CASE("on an idle link the governor reaches 90% of it within 2 s, from 256 KiB/s, without running the queue away") {
  GovernorOptions o;
  o.initial_rate_bytes_per_s = 262'144;  // as the nodes start (node_governor.cpp)
  for (auto [mbit, rtt] : {std::pair{20.0, 40.0}, std::pair{10.0, 120.0}, std::pair{50.0, 20.0}}) {
    CAPTURE(mbit);
    Trace t = run_scenario(idle_link(mbit, rtt, o));
    const int64_t at = time_to_share(t, 0.9);
    CHECK(at > 0);
    CHECK(at <= 2'000);
    // It stays there: the ramp's overshoot is braked, not paid for with a collapse.
    CHECK(spare_share(t, 2'000, 20'000) >= 0.85);
    CHECK(delay_percentile_ms(t, 0, 20'000, 95) <= kTargetMs);
  }
  // The old slow start (gain 1.0 per s) took 4-5 s on the model, 6-9 s on the emulated WAN.
  GovernorOptions slow = o;
  slow.slow_start_gain_per_s = 1.0;
  CHECK(time_to_share(run_scenario(idle_link(20, 40, slow)), 0.9) > 2'500);
}

TEST_CASE("a loss with the queue under the setpoint does not cut; with the queue at or above it, it does") {
  GovernorOptions o = without_slowdowns();
  o.backoff_threshold = 2.0;  // as on the nodes: between 1 and 2 x target only the trim acts
  Driver d{Governor(o)};
  for (int i = 0; i < 20; ++i) d.tick({40});
  const double before = d.gov.rate_bytes_per_s(Direction::down);
  GovernorDecision r = d.tick({40, 40, 40, 40}, 3);  // empty queue: random loss
  CHECK_FALSE(has(r, GovernorEventKind::loss_backoff));
  CHECK(d.gov.rate_bytes_per_s(Direction::down) >= before);
  // 30 ms of queue (1.2 x target): the delay alone does not cut here...
  const double q = 40 + 1.2 * kTargetMs;
  d.tick({q, q, q, q});
  CHECK_FALSE(has(d.last, GovernorEventKind::backoff));
  const double full = d.gov.rate_bytes_per_s(Direction::down);
  // ...but a loss with it does: the queue is full.
  r = d.tick({q, q, q, q}, 1);
  CHECK(has(r, GovernorEventKind::loss_backoff));
  CHECK(d.gov.rate_bytes_per_s(Direction::down) == doctest::Approx(full * o.loss_factor));
}

TEST_CASE("loss_queue_fraction 0 is RFC 6817: every loss cuts; bad values are refused by name") {
  GovernorOptions o = without_slowdowns();
  o.loss_queue_fraction = 0;
  Driver d{Governor(o)};
  for (int i = 0; i < 20; ++i) d.tick({40});
  CHECK(has(d.tick({40}, 1), GovernorEventKind::loss_backoff));
  o.loss_queue_fraction = 5;
  auto s = o.validate();
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("loss_queue_fraction") != std::string::npos);
}

TEST_CASE("2% random loss on an empty 20 Mbit/s link costs the governor nothing") {
  ScenarioSpec s = idle_link(20, 200);
  s.duration_ms = 60'000;
  s.link.random_loss_per_packet = 0.02;
  Trace t = run_scenario(s);
  auto loss_cuts = [](const Trace& tr) {
    return std::count_if(tr.events.begin(), tr.events.end(), [](const TimedEvent& e) {
      return e.t_ms >= 5'000 && e.event.kind == GovernorEventKind::loss_backoff;
    });
  };
  CHECK(spare_share(t, 5'000, 60'000) >= 0.9);
  CHECK(loss_cuts(t) == 0);  // (the ramp's overshoot may fill the buffer once: that loss is congestion)
  // RFC 6817's response, for contrast: a halving about every 2.5 s.
  s.options.loss_queue_fraction = 0;
  CHECK(loss_cuts(run_scenario(s)) >= 10);
}

TEST_CASE("a periodic slowdown restores the rate before it in one tick, not by regrowing") {
  GovernorOptions o;
  o.slowdown_interval_ms = 10'000;
  Driver d{Governor(o)};
  double before = 0;
  bool started = false, ended = false;
  for (int i = 0; i < 100 && !ended; ++i) {
    const double rate = d.gov.rate_bytes_per_s(Direction::down);
    d.tick({200, 200, 200, 200});  // a 200 ms branch, queue empty
    if (has(d.last, GovernorEventKind::slowdown_start)) {
      started = true;
      before = rate;
      CHECK(d.last.down_limit_bytes_per_s == d.policy.floor_bytes_per_s);
    }
    if (started && has(d.last, GovernorEventKind::slowdown_end)) {
      ended = true;
      CHECK(double(d.last.down_limit_bytes_per_s) == doctest::Approx(before).epsilon(0.01));
    }
  }
  CHECK(started);
  CHECK(ended);
}

TEST_CASE("in slow start a flow that uses a third of its limit (usage lags the ramp) still grows; after it, it does not") {
  GovernorOptions o = without_slowdowns();
  o.slowdown_first_ms = 100'000'000;
  Driver d{Governor(o)};
  d.tick({40});
  const double start = d.gov.rate_bytes_per_s(Direction::down);
  for (int i = 0; i < 5; ++i) d.tick({40}, 0, 0.35);
  CHECK(d.gov.rate_bytes_per_s(Direction::down) >= 5 * start);
  // A queue at the exit fraction ends slow start; then 35% is application-limited.
  const double q = 40 + 0.6 * kTargetMs;
  for (int i = 0; i < 3; ++i) d.tick({q, q, q, q}, 0, 0.35);
  for (int i = 0; i < 3; ++i) d.tick({40, 40, 40, 40}, 0, 0.35);
  const double after = d.gov.rate_bytes_per_s(Direction::down);
  for (int i = 0; i < 10; ++i) d.tick({40, 40, 40, 40}, 0, 0.35);
  CHECK(d.gov.rate_bytes_per_s(Direction::down) == doctest::Approx(after));
}
