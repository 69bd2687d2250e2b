// The emulator checked against its configuration on a real two-namespace
// link: delivered rate, round-trip time, queuing delay and loss. These assert
// correctness with a tolerance (what issue 5 requires), not performance.
#include <doctest/doctest.h>

#include <cmath>
#include <future>

#include "netsim/tools/flow_probe.hpp"
#include "netsim/tools/link_bench.hpp"
#include "netsim/tools/rtt_probe.hpp"
#include "netsim/tools/timer_jitter.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/skip.hpp"

namespace bc::netsim {
namespace {

// Probe and emulator threads run SCHED_FIFO so the shared build machine's
// load does not show up as link jitter. The emulator's priority is above the
// probes': FIFO threads of one priority do not preempt each other, and a probe
// thread holding a CPU must not be what makes the emulator late.
constexpr int kRealtime = 50;
constexpr int kEmulatorRealtime = 60;

LinkOptions link(double mbit, double delay_ms, double queue_ms, double loss = 0) {
  LinkOptions o;
  o.rate_bytes_per_s = mbit_to_bytes_per_s(mbit);
  o.delay_us = static_cast<std::uint64_t>(delay_ms * 1000);
  o.queue_limit_bytes = bytes_for_ms(o.rate_bytes_per_s, queue_ms);
  o.loss_probability = loss;
  return o;
}

std::unique_ptr<LinkBench> make_bench(const std::string& run, const LinkOptions& ab, const LinkOptions& ba) {
  LinkBenchOptions o;
  o.run_id = run;
  o.a_to_b = ab;
  o.b_to_a = ba;
  o.emulator.realtime_priority = kEmulatorRealtime;
  auto bench = LinkBench::create(o);
  REQUIRE_MESSAGE(bench.ok(), bench.status().to_string());
  return std::move(bench.value());
}

FlowOptions flow(LinkBench& b, std::uint64_t offered, int duration_ms) {
  FlowOptions f = b.flow_a_to_b(offered, duration_ms, kRealtime);
  f.warmup_ms = 300;
  return f;
}

RttProbeOptions rtt(LinkBench& b, int count, int interval_us) { return b.rtt_a_to_b(count, interval_us, kRealtime); }

TEST_CASE("a saturating UDP flow is delivered at the configured rate within 2% (20 and 100 Mbit/s)") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  auto bench = make_bench("tudp", link(100, 5, 50), link(100, 5, 50));
  for (double mbit : {20.0, 100.0}) {
    LinkOptions l = link(mbit, 5, 50);
    REQUIRE(bench->configure(l, l).ok());
    auto r = run_udp_flow(flow(*bench, l.rate_bytes_per_s * 6 / 5, 1500));
    REQUIRE_MESSAGE(r.ok(), r.status().to_string());
    const double err = (r->delivered_rate_bytes_per_s - l.rate_bytes_per_s) / l.rate_bytes_per_s;
    INFO("rate ", mbit, " Mbit/s delivered ", r->delivered_rate_bytes_per_s * 8 / 1e6, " over ", r->window_s, " s");
    CHECK(std::abs(err) < 0.02);
    CHECK(r->window_s > 1.0);
  }
}

TEST_CASE("a bulk TCP flow is delivered at the configured rate within 2% (20 Mbit/s)") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  LinkOptions l = link(20, 5, 100);
  auto bench = make_bench("ttcp", l, l);
  FlowOptions f = flow(*bench, l.rate_bytes_per_s, 2000);
  f.warmup_ms = 500;  // past slow start
  auto r = run_tcp_flow(f);
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  INFO("delivered ", r->delivered_rate_bytes_per_s * 8 / 1e6, " Mbit/s, mss ", r->tcp_mss);
  CHECK(std::abs(r->delivered_rate_bytes_per_s - l.rate_bytes_per_s) / l.rate_bytes_per_s < 0.02);
}

TEST_CASE("the round-trip time is 2 x delay + serialization within 1 ms and never less (100 Mbit/s)") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  LinkOptions l = link(100, 10, 50);
  auto bench = make_bench("trtt", l, l);
  // The machine's own wake-up lateness, measured alongside at the emulator's
  // priority, is the reference: a clean CI run once saw the emulator's
  // lateness p95 at 1.05 ms (p50 60 us, p99 3.2 ms) where this machine gives
  // 70-100 us, a VM that was itself late. The emulator is judged on what it
  // adds beyond that.
  TimerJitterOptions jo;
  jo.period_us = 500;
  jo.duration_ms = 5000;
  jo.realtime_priority = kEmulatorRealtime;
  auto machine = std::async(std::launch::async, [jo] { return measure_timer_jitter(jo); });
  // 5 s of probes: a whole-VM stall of tens of ms stays well under 5% of them.
  auto r = run_rtt_probe(rtt(*bench, 5000, 1000));
  auto reference = machine.get();
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  REQUIRE_MESSAGE(reference.ok(), reference.status().to_string());
  CHECK(r->received == r->sent);
  const double expected_ns = 2 * 10e6 + 2 * 100 * 1e9 / l.rate_bytes_per_s;
  const double p50 = static_cast<double>(r->percentile_ns(0.5));
  const double p95 = static_cast<double>(r->percentile_ns(0.95));
  const double machine_p50_us = static_cast<double>(reference->percentile_ns(0.5)) / 1000;
  const double machine_p95_us = static_cast<double>(reference->percentile_ns(0.95)) / 1000;
  INFO("rtt min ", r->min_ns() / 1000, " us p50 ", p50 / 1000, " us p95 ", p95 / 1000, " us p99 ",
       r->percentile_ns(0.99) / 1000, " us; expected ", expected_ns / 1000, " us");
  INFO("machine wake-up lateness p50 ", machine_p50_us, " us p95 ", machine_p95_us, " us p99 ",
       reference->percentile_ns(0.99) / 1000, " us max ", reference->max_ns() / 1000, " us over ",
       reference->lateness_ns.size(), " deadlines");
  CHECK(static_cast<double>(r->min_ns()) >= expected_ns - 1000);  // the emulator never delivers early
  // Each RTT crosses the emulator twice.
  CHECK(p50 - expected_ns < 1e6 + 2 * machine_p50_us * 1000);
  // The emulator's own added jitter (write time - due time) stays below 1 ms
  // at p95 beyond the machine's. Its p99 and the tail of the end-to-end RTT
  // are reported in docs/benchmarks.md rather than asserted: on the shared
  // build VM a single whole-machine stall of ~10 ms (seen in both directions
  // at once) delays about 1% of a second's probes, whatever the emulator does.
  nlohmann::json stats = bench->stats_json();
  INFO("a_to_b lateness ", stats["a_to_b"]["lateness"].dump());
  INFO("b_to_a lateness ", stats["b_to_a"]["lateness"].dump());
  CHECK(stats["a_to_b"]["lateness"]["p95_us"].get<double>() < 1000 + machine_p95_us);
  CHECK(stats["b_to_a"]["lateness"]["p95_us"].get<double>() < 1000 + machine_p95_us);
}

TEST_CASE("a full queue delays packets by queue bytes / rate and tail-drops the excess") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  LinkOptions l = link(10, 10, 100);  // 125000-byte queue: 100 ms at 10 Mbit/s
  auto bench = make_bench("tqueue", l, l);
  FlowOptions f = flow(*bench, l.rate_bytes_per_s * 3 / 2, 2500);
  auto load = std::async(std::launch::async, [f] { return run_udp_flow(f); });
  // Probe once the queue is full: it has tail-dropped a packet.
  REQUIRE(bc::test::eventually(
      [&] { return bench->stats_json()["a_to_b"]["counters"]["dropped_queue_full"].get<std::uint64_t>() > 0; },
      2'000, 10));
  auto probes = run_rtt_probe(rtt(*bench, 60, 20'000));
  auto loaded = load.get();
  REQUIRE(loaded.ok());
  REQUIRE(probes.ok());
  nlohmann::json stats = bench->stats_json();
  // A packet arriving at a full queue waits for (limit - its own size) bytes.
  const double expected_ms = static_cast<double>(l.queue_limit_bytes - 1500) / l.rate_bytes_per_s * 1000;
  const double p50_ms = stats["a_to_b"]["queue_delay"]["p50_us"].get<double>() / 1000;
  INFO("queue delay p50 ", p50_ms, " ms, expected ", expected_ms, " ms");
  CHECK(std::abs(p50_ms - expected_ms) / expected_ms < 0.02);
  CHECK(stats["a_to_b"]["counters"]["dropped_queue_full"].get<std::uint64_t>() > 100);
  const double probe_ms = static_cast<double>(probes->percentile_ns(0.5)) / 1e6;
  INFO("probe RTT p50 ", probe_ms, " ms");
  CHECK(std::abs(probe_ms - (20 + 100)) < 2.0);
}

TEST_CASE("random loss on the link matches the configured probability") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  auto bench = make_bench("tloss", link(100, 2, 50, 0.02), link(100, 2, 50));
  FlowOptions f = flow(*bench, mbit_to_bytes_per_s(20), 1500);
  f.packet_bytes = 500;
  auto r = run_udp_flow(f);
  REQUIRE(r.ok());
  const double n = static_cast<double>(r->packets_sent);
  const double loss = 1.0 - static_cast<double>(r->packets_received) / n;
  INFO("sent ", r->packets_sent, " received ", r->packets_received, " loss ", loss);
  CHECK(n > 5000);
  CHECK(std::abs(loss - 0.02) < 4 * std::sqrt(0.02 * 0.98 / n));
  nlohmann::json stats = bench->stats_json();
  CHECK(stats["a_to_b"]["counters"]["dropped_queue_full"] == 0);
  CHECK(stats["b_to_a"]["counters"]["dropped_loss"] == 0);
}

}  // namespace
}  // namespace bc::netsim
