#include "netsim/linktest.hpp"

#include <cmath>
#include <algorithm>
#include <cstdio>
#include <future>

#include "netsim/tools/flow_probe.hpp"
#include "netsim/tools/link_bench.hpp"
#include "netsim/tools/rtt_probe.hpp"
#include "netsim/tools/timer_jitter.hpp"

namespace bc::netsim {

namespace {

FlowOptions flow_options(LinkBench& bench, const LinkOptions& link, int duration_ms, int rt) {
  // 1.2x the link's rate: keeps the queue full.
  FlowOptions f = bench.flow_a_to_b(link.rate_bytes_per_s * 6 / 5, duration_ms, rt);
  f.warmup_ms = std::min(500, duration_ms / 4);
  return f;
}

RttProbeOptions rtt_options(LinkBench& bench, int count, int interval_us, int rt) {
  return bench.rtt_a_to_b(count, interval_us, rt);
}

double us(std::int64_t ns) { return static_cast<double>(ns) / 1000.0; }

// The emulator runs above the probes: SCHED_FIFO threads of one priority do
// not preempt each other, and a probe thread must not make the emulator late.
int emulator_priority(int probes) { return probes > 0 ? std::min(99, probes + 10) : 0; }

nlohmann::json rate_phase(LinkBench& bench, const LinkTestOptions& o, double mbit) {
  nlohmann::json j;
  j["rate_mbit"] = mbit;
  LinkOptions link = quoted_link(mbit, o.delay_ms, o.queue_ms, 0);
  const double configured = static_cast<double>(link.rate_bytes_per_s);
  auto record = [&](const char* key, Result<FlowResult> r) {
    nlohmann::json stats = bench.stats_json();
    if (!r.ok()) {
      j[key] = {{"error", r.status().to_string()}};
      return;
    }
    j[key] = {{"delivered_mbit", r->delivered_rate_bytes_per_s * 8 / 1e6},
              {"error_pct", (r->delivered_rate_bytes_per_s - configured) / configured * 100},
              {"window_s", r->window_s},
              {"packets_received", r->packets_received},
              {"emulator_cpu_fraction", stats["emulator_cpu_fraction"]},
              {"emulator_cpu_user_fraction", stats["emulator_cpu_user_fraction"]},
              {"emulator_cpu_sys_fraction", stats["emulator_cpu_sys_fraction"]},
              {"lateness_p99_us", stats["a_to_b"]["lateness"]["p99_us"]}};
  };
  (void)bench.configure(link, link);
  record("udp", run_udp_flow(flow_options(bench, link, o.flow_ms, o.realtime_priority)));
  if (o.tcp) {
    (void)bench.configure(link, link);
    FlowOptions f = flow_options(bench, link, o.flow_ms, o.realtime_priority);
    f.port = 5203;
    record("tcp", run_tcp_flow(f));
  }
  (void)bench.configure(link, link);
  // The machine's own wake-up lateness alongside, at the emulator's priority:
  // the floor under the emulator's lateness on this machine.
  TimerJitterOptions jo;
  jo.period_us = 500;
  jo.duration_ms = std::max(1, o.rtt_probes * 2);
  jo.realtime_priority = emulator_priority(o.realtime_priority);
  auto machine = std::async(std::launch::async, [jo] { return measure_timer_jitter(jo); });
  auto rtt = run_rtt_probe(rtt_options(bench, o.rtt_probes, 2000, o.realtime_priority));
  auto reference = machine.get();
  nlohmann::json stats = bench.stats_json();
  if (!rtt.ok()) {
    j["rtt"] = {{"error", rtt.status().to_string()}};
    return j;
  }
  // Expected: both delays plus serializing the 100-byte probe each way.
  const double expected_us = 2 * o.delay_ms * 1000 + 2 * 100 * 1e6 / configured;
  j["rtt"] = {{"expected_us", expected_us},
              {"p50_us", us(rtt->percentile_ns(0.5))},
              {"p99_us", us(rtt->percentile_ns(0.99))},
              {"max_us", us(rtt->max_ns())},
              {"p50_dev_us", us(rtt->percentile_ns(0.5)) - expected_us},
              {"p99_dev_us", us(rtt->percentile_ns(0.99)) - expected_us},
              {"sent", rtt->sent},
              {"received", rtt->received},
              {"emulator_lateness_p50_us", stats["a_to_b"]["lateness"]["p50_us"]},
              {"emulator_lateness_p99_us", stats["a_to_b"]["lateness"]["p99_us"]},
              {"emulator_lateness_max_us", stats["a_to_b"]["lateness"]["max_us"]}};
  if (reference.ok()) {
    j["rtt"]["machine_lateness_p50_us"] = us(reference->percentile_ns(0.5));
    j["rtt"]["machine_lateness_p99_us"] = us(reference->percentile_ns(0.99));
    j["rtt"]["machine_lateness_max_us"] = us(reference->max_ns());
  } else {
    j["rtt"]["machine_lateness_error"] = reference.status().to_string();
  }
  return j;
}

// The RTT of the same probe through the emulator with no delay at 1 Gbit/s:
// what the kernel stack, the probe threads and one emulator pass each way cost
// on this machine. Deviations in the rate phases above this floor are the
// delay line's doing.
nlohmann::json floor_phase(LinkBench& bench, const LinkTestOptions& o) {
  LinkOptions link = quoted_link(1000, 0, o.queue_ms, 0);
  (void)bench.configure(link, link);
  auto rtt = run_rtt_probe(rtt_options(bench, o.rtt_probes, 2000, o.realtime_priority));
  if (!rtt.ok()) return {{"error", rtt.status().to_string()}};
  return {{"p50_us", us(rtt->percentile_ns(0.5))}, {"p99_us", us(rtt->percentile_ns(0.99))},
          {"max_us", us(rtt->max_ns())}, {"received", rtt->received}};
}

nlohmann::json queue_phase(LinkBench& bench, const LinkTestOptions& o) {
  const double queue_ms = 100;
  LinkOptions link = quoted_link(10, o.delay_ms, queue_ms, 0);
  (void)bench.configure(link, link);
  FlowOptions f = flow_options(bench, link, 3000, o.realtime_priority);
  f.offered_rate_bytes_per_s = link.rate_bytes_per_s * 3 / 2;
  auto flow = std::async(std::launch::async, [f] { return run_udp_flow(f); });
  // Probes start once the queue has filled and end before the flow does.
  struct timespec ts{0, 600'000'000};
  nanosleep(&ts, nullptr);
  auto rtt = run_rtt_probe(rtt_options(bench, 80, 20'000, o.realtime_priority));
  auto flow_result = flow.get();
  nlohmann::json stats = bench.stats_json();
  nlohmann::json j;
  j["rate_mbit"] = 10;
  j["queue_limit_bytes"] = link.queue_limit_bytes;
  // A full-size packet is admitted only when (limit - 1500) bytes or fewer are
  // ahead of it, so that is what it waits for at a full queue.
  j["expected_queue_delay_ms"] =
      static_cast<double>(link.queue_limit_bytes - link.mtu_bytes) / link.rate_bytes_per_s * 1000;
  j["emulator_queue_delay_p50_ms"] = stats["a_to_b"]["queue_delay"]["p50_us"].get<double>() / 1000;
  j["emulator_queue_delay_p99_ms"] = stats["a_to_b"]["queue_delay"]["p99_us"].get<double>() / 1000;
  j["tail_drops"] = stats["a_to_b"]["counters"]["dropped_queue_full"];
  if (rtt.ok()) {
    j["probe_rtt_p50_ms"] = us(rtt->percentile_ns(0.5)) / 1000;
    j["expected_probe_rtt_ms"] = 2 * o.delay_ms + queue_ms;  // approximately: a probe waits (limit - 100..1500 B)
  }
  if (flow_result.ok()) j["delivered_mbit"] = flow_result->delivered_rate_bytes_per_s * 8 / 1e6;
  return j;
}

nlohmann::json loss_phase(LinkBench& bench, const LinkTestOptions& o) {
  LinkOptions up = quoted_link(100, o.delay_ms, o.queue_ms, o.loss);
  LinkOptions down = quoted_link(100, o.delay_ms, o.queue_ms, 0);
  (void)bench.configure(up, down);
  FlowOptions f = flow_options(bench, up, 2000, o.realtime_priority);
  f.offered_rate_bytes_per_s = mbit_to_bytes_per_s(20);
  f.packet_bytes = 500;
  auto r = run_udp_flow(f);
  nlohmann::json j;
  j["configured_loss"] = o.loss;
  if (!r.ok()) {
    j["error"] = r.status().to_string();
    return j;
  }
  const double n = static_cast<double>(r->packets_sent);
  j["packets_sent"] = r->packets_sent;
  j["packets_received"] = r->packets_received;
  j["measured_loss"] = 1.0 - static_cast<double>(r->packets_received) / n;
  j["three_sigma"] = 3 * std::sqrt(o.loss * (1 - o.loss) / n);
  return j;
}

}  // namespace

Result<nlohmann::json> run_link_test(const LinkTestOptions& o) {
  LinkBenchOptions bo;
  bo.run_id = o.run_id;
  bo.a_to_b = bo.b_to_a = quoted_link(100, o.delay_ms, o.queue_ms, 0);
  bo.emulator.realtime_priority = emulator_priority(o.realtime_priority);
  bo.spin_us = o.spin_us;
  BC_ASSIGN_OR_RETURN(auto bench, LinkBench::create(bo));
  nlohmann::json report;
  report["config"] = {{"delay_ms", o.delay_ms}, {"queue_ms", o.queue_ms}, {"flow_ms", o.flow_ms},
                      {"realtime_priority", o.realtime_priority}, {"spin_us", o.spin_us}};
  for (double mbit : o.rates_mbit) report["rates"].push_back(rate_phase(*bench, o, mbit));
  report["rtt_floor"] = floor_phase(*bench, o);
  report["queue"] = queue_phase(*bench, o);
  report["loss"] = loss_phase(*bench, o);
  return report;
}

std::string format_link_test(const nlohmann::json& r) {
  std::string out;
  char line[256];
  out += "rate    UDP delivered (err%)   TCP delivered (err%)   RTT p50/p99 dev (us)   emu / machine lateness p99 (us)  emu CPU\n";
  for (const auto& p : r["rates"]) {
    auto num = [](const nlohmann::json& j, const char* k) { return j.contains(k) ? j[k].get<double>() : NAN; };
    const auto& u = p["udp"];
    nlohmann::json t = p.contains("tcp") ? p["tcp"] : nlohmann::json::object();
    const auto& q = p["rtt"];
    std::snprintf(line, sizeof line, "%5.0f   %8.3f (%+6.2f%%)     %8.3f (%+6.2f%%)     %8.1f / %8.1f      %8.1f / %8.1f       %5.1f%%\n",
                  p["rate_mbit"].get<double>(), num(u, "delivered_mbit"), num(u, "error_pct"),
                  num(t, "delivered_mbit"), num(t, "error_pct"), num(q, "p50_dev_us"), num(q, "p99_dev_us"),
                  num(q, "emulator_lateness_p99_us"), num(q, "machine_lateness_p99_us"),
                  num(u, "emulator_cpu_fraction") * 100);
    out += line;
  }
  const auto& fl = r["rtt_floor"];
  std::snprintf(line, sizeof line, "RTT floor (no delay, 1 Gbit/s): p50 %.1f us, p99 %.1f us\n",
                fl.value("p50_us", NAN), fl.value("p99_us", NAN));
  out += line;
  const auto& q = r["queue"];
  std::snprintf(line, sizeof line, "queue: expected delay %.1f ms, emulator p50 %.1f ms, probe RTT p50 %.1f ms (expected %.1f)\n",
                q.value("expected_queue_delay_ms", NAN), q.value("emulator_queue_delay_p50_ms", NAN),
                q.value("probe_rtt_p50_ms", NAN), q.value("expected_probe_rtt_ms", NAN));
  out += line;
  const auto& l = r["loss"];
  std::snprintf(line, sizeof line, "loss: configured %.4f, measured %.4f (3 sigma %.4f, %llu packets)\n",
                l.value("configured_loss", NAN), l.value("measured_loss", NAN), l.value("three_sigma", NAN),
                static_cast<unsigned long long>(l.value("packets_sent", 0ull)));
  out += line;
  return out;
}

}  // namespace bc::netsim
