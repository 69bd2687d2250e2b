// WanGovernorLoop with a fake node and fake time: cadence, caps, windows,
// budget share, the disable switch and what it reports.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "layers/governor/wan_governor_loop.hpp"

using namespace bc::governor;

namespace {

struct FakePort final : WanPort {
  WanByteCounts bytes;
  std::vector<std::pair<int64_t, int64_t>> sets;  // every set_wan_limits call
  std::vector<std::pair<int64_t, int64_t>> paces;  // every set_request_pace call
  WanByteCounts wan_bytes() override { return bytes; }
  void set_wan_limits(int64_t d, int64_t u) override { sets.emplace_back(d, u); }
  void set_request_pace(int64_t rate, int64_t window) override { paces.emplace_back(rate, window); }
};

struct FakeRtt final : RttSource {
  std::vector<double> next;
  int drains = 0;
  RttDrain drain() override {
    ++drains;
    RttDrain d;
    d.rtt_ms = std::exchange(next, {});
    return d;
  }
};

constexpr int64_t kMonday0759 = 1'699'862'400 - 60;  // Monday 2023-11-13 07:59 UTC
constexpr int64_t kMiB = 1 << 20;

WanPolicy hard_cap(int64_t down) {
  WanPolicy p;
  p.default_caps.download = RateCap::absolute(down);
  p.latency_aware = false;  // the limit is exactly the cap: easy to assert
  return p;
}

}  // namespace

TEST_CASE("the loop ticks every tick_interval_ms, not on every poll, and applies a hard cap") {
  FakePort port;
  WanGovernorLoop loop({}, port);
  loop.set_policy(hard_cap(kMiB));
  REQUIRE(loop.poll(1'000, kMonday0759).has_value());
  REQUIRE(port.sets.size() == 1);
  CHECK(port.sets[0] == std::pair<int64_t, int64_t>(kMiB, 0));  // up: unlimited = 0
  CHECK_FALSE(loop.poll(1'150, kMonday0759).has_value());
  CHECK(loop.poll(1'200, kMonday0759).has_value());
  CHECK(port.sets.size() == 1);  // same limits: the node is not called again
}

TEST_CASE("a time window starting takes effect at the next tick (within 200 ms) and is reported") {
  FakePort port;
  WanGovernorLoop loop({}, port);
  WanPolicy p = hard_cap(kMiB);
  TimeWindow w;
  w.start_min = 8 * 60;
  w.end_min = 18 * 60;
  w.caps.download = RateCap::absolute(100'000);
  p.windows.push_back(w);
  loop.set_policy(p);
  auto first = loop.poll(0, kMonday0759 + 59);  // 07:59:59
  REQUIRE(first);
  CHECK(first->policy_changed);
  CHECK(port.sets.back().first == kMiB);
  auto second = loop.poll(200, kMonday0759 + 60);  // 08:00:00
  REQUIRE(second);
  CHECK(port.sets.back().first == 100'000);
  CHECK(second->notable());
  CHECK(std::any_of(second->events.begin(), second->events.end(),
                    [](const GovernorEvent& e) { return e.kind == GovernorEventKind::window_changed; }));
}

TEST_CASE("a reflector's share divides the branch cap in force, and a share of an uncapped branch is no cap") {
  FakePort port;
  WanGovernorLoop loop({}, port);
  loop.set_policy(hard_cap(kMiB));
  loop.set_share(0.5);
  REQUIRE(loop.poll(0, kMonday0759));
  CHECK(port.sets.back().first == kMiB / 2);
  loop.set_policy(WanPolicy{.latency_aware = false});
  auto r = loop.poll(200, kMonday0759);
  REQUIRE(r);
  CHECK(r->policy_changed);
  CHECK(port.sets.back().first == 0);  // unlimited
}

TEST_CASE("the node's own cap bounds the governor's limit") {
  FakePort port;
  WanGovernorLoopOptions o;
  o.node_down_cap_bytes_per_s = 300'000;
  WanGovernorLoop loop(o, port);
  loop.set_policy(hard_cap(kMiB));
  REQUIRE(loop.poll(0, kMonday0759));
  CHECK(port.sets.back().first == 300'000);
}

TEST_CASE("disabled, the loop never sets limits but keeps draining the prober") {
  FakePort port;
  FakeRtt rtt;
  WanGovernorLoopOptions o;
  o.enabled = false;
  WanGovernorLoop loop(o, port);
  loop.set_rtt_source(&rtt);
  loop.set_policy(hard_cap(kMiB));
  for (int i = 0; i < 10; ++i) CHECK_FALSE(loop.poll(i * 200, kMonday0759).has_value());
  CHECK(port.sets.empty());
  CHECK(rtt.drains == 10);
}

TEST_CASE("a queue above target cuts the rate and reports the backoff; growth ticks are not reported") {
  FakePort port;
  FakeRtt rtt;
  WanGovernorLoop loop({}, port);
  loop.set_rtt_source(&rtt);
  WanPolicy p;  // latency aware, no caps
  loop.set_policy(p);
  int64_t now = 0;
  size_t grow_reports = 0;
  // 10 s at base RTT 20 ms, the link kept busy at the limit: slow start grows.
  for (int i = 0; i < 50; ++i, now += 200) {
    rtt.next = {20, 20.2, 20.1};
    if (auto a = loop.applied(); a && a->first != kNoLimit) port.bytes.down += uint64_t(a->first / 5);
    auto r = loop.poll(now, kMonday0759);
    REQUIRE(r);
    for (const auto& e : r->events) grow_reports += e.kind == GovernorEventKind::grow;
  }
  CHECK(grow_reports == 0);
  const int64_t before = loop.applied()->first;
  bool backoff = false;
  for (int i = 0; i < 5 && !backoff; ++i, now += 200) {
    rtt.next = {90, 91, 92, 93};  // 70 ms queuing delay, target 25
    port.bytes.down += uint64_t(loop.applied()->first / 5);
    auto r = loop.poll(now, kMonday0759);
    REQUIRE(r);
    for (const auto& e : r->events) backoff |= e.kind == GovernorEventKind::backoff;
  }
  CHECK(backoff);
  CHECK(loop.applied()->first < before);
}

TEST_CASE("a byte count that steps back (peers reclassed) is a tick with no bytes, not a huge one") {
  FakePort port;
  WanGovernorLoop loop({}, port);
  port.bytes = {1'000'000, 0};
  REQUIRE(loop.poll(0, kMonday0759));
  port.bytes = {10, 0};
  CHECK(loop.poll(200, kMonday0759).has_value());  // no overflow, no crash: the delta is clamped
}

TEST_CASE("a binding cap is the class limit, set once, whatever the node moves against it") {
  FakePort port;
  WanGovernorLoop loop(WanGovernorLoopOptions{}, port);
  loop.set_policy(hard_cap(kMiB));
  for (int64_t t = 0; t <= 10'000; t += 200) {
    port.bytes.down += 2 * kMiB / 5;  // 2x the cap: libtorrent's limiter spending banked quota
    loop.poll(t, kMonday0759);
  }
  CHECK(port.sets.size() == 1);
  CHECK(port.sets.back().first == kMiB);
}

TEST_CASE("request pacing: requests go at the down limit, the window is limit x (base RTT + 100 ms) + 2 blocks, the class limit backs it 25% above") {
  FakePort port;
  FakeRtt rtt;
  WanGovernorLoopOptions o;
  o.request_pacing = true;
  WanGovernorLoop loop(o, port);
  loop.set_rtt_source(&rtt);
  WanPolicy p;  // latency aware, target 25 ms, no cap
  loop.set_policy(p);
  rtt.next = {60, 60, 60, 60};
  REQUIRE(loop.poll(0, kMonday0759).has_value());
  // The start rate 65,536 B/s; window 65,536 x 0.16 s + 32,768 B.
  REQUIRE(port.paces.size() == 1);
  CHECK(port.paces[0].first == 65'536);
  CHECK(port.paces[0].second == int64_t(std::ceil(65'536 * 0.16)) + 32'768);
  CHECK(port.sets.back().first == 65'536 + 65'536 / 4);
  // Without pacing the pace is never set and the limit is the governor's.
  FakePort plain;
  WanGovernorLoop loop2({}, plain);
  loop2.set_rtt_source(&rtt);
  loop2.set_policy(p);
  rtt.next = {60, 60, 60, 60};
  loop2.poll(0, kMonday0759);
  CHECK(plain.paces.empty());
  CHECK(plain.sets.back().first == 65'536);
  // A binding cap keeps its exact class limit and paces the requests at it.
  FakePort capped;
  WanGovernorLoop loop3(o, capped);
  loop3.set_policy(hard_cap(kMiB));
  loop3.poll(0, kMonday0759);
  loop3.poll(200, kMonday0759);
  CHECK(capped.sets.back().first == kMiB);
  CHECK(capped.paces.back().first == kMiB);
  CHECK(capped.paces.back().second == int64_t(std::ceil(double(kMiB) * 0.2)) + 32'768);  // no RTT yet: 100 + 100 ms
  // Unlimited: unpaced.
  FakePort open_port;
  WanPolicy no_latency;
  no_latency.latency_aware = false;
  WanGovernorLoop loop4(o, open_port);
  loop4.set_policy(no_latency);
  loop4.poll(0, kMonday0759);
  REQUIRE(!open_port.paces.empty());
  CHECK(open_port.paces.back() == std::pair<int64_t, int64_t>{0, 0});
}

TEST_CASE("request pacing: in a slowdown the pace drops to the floor while the class limit stays, and both come back") {
  FakePort port;
  FakeRtt rtt;
  WanGovernorLoopOptions o;
  o.request_pacing = true;
  WanGovernorLoop loop(o, port);
  loop.set_rtt_source(&rtt);
  WanPolicy p;  // latency aware, floor 16 KiB/s
  loop.set_policy(p);
  bool started = false, ended = false;
  int64_t class_before = 0, pace_before = 0;
  for (int64_t t = 0; t <= 120'000 && !ended; t += 200) {
    rtt.next = {60, 60, 60, 60};
    // The node moves what its pace allows, up to a 10 Mbit/s link.
    const int64_t pace = port.paces.empty() ? 65'536 : port.paces.back().first;
    port.bytes.down += uint64_t(std::min<int64_t>(pace, 1'250'000) / 5);
    const int64_t class_now = port.sets.empty() ? 0 : port.sets.back().first;
    auto r = loop.poll(t, kMonday0759);
    if (!r) continue;
    for (const GovernorEvent& e : r->events) {
      if (e.dir != Direction::down) continue;
      if (e.kind == GovernorEventKind::slowdown_start && !started) {
        started = true;
        class_before = class_now;
        pace_before = pace;
        CHECK(port.paces.back().first == p.floor_bytes_per_s);
        CHECK(port.sets.back().first == class_before);
        CHECK(class_before > 2 * p.floor_bytes_per_s);
      }
      if (e.kind == GovernorEventKind::slowdown_end && started) {
        ended = true;
        CHECK(port.paces.back().first == pace_before);
        CHECK(port.sets.back().first == pace_before + pace_before / 4);
      }
    }
  }
  CHECK(started);
  CHECK(ended);
}
