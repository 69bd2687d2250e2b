// bc-governor-trace: runs the WAN governor against the synthetic bottleneck
// link model (layers/governor/link_model.hpp) for named scenarios and prints a
// table, summary figures and a CSV per scenario for plotting. This is a model
// run in virtual time, not a measurement of a real network.
//
//   bc-governor-trace [--scenario step|drift|route|latecomer|loss|all]
//                     [--csv-dir DIR] [--every-s N] [--summary-only]
//                     [--capacity-mbit N] [--declare-link]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "layers/governor/scenario.hpp"

using namespace bc::governor;

namespace {

void write_csv(const Trace& t, const std::string& path) {
  std::ofstream f(path);
  f << "t_s,queuing_delay_ms,cross_bytes_per_s,base_rtt_ms";
  size_t ng = t.rows.empty() ? 0 : t.rows[0].limit_bytes_per_s.size();
  for (size_t g = 0; g < ng; ++g) f << ",limit" << g << "_bytes_per_s,throughput" << g << "_bytes_per_s";
  f << "\n";
  for (const auto& r : t.rows) {
    f << double(r.t_ms) / 1000.0 << "," << r.queuing_delay_ms << "," << r.cross_bytes_per_s << "," << r.base_rtt_ms;
    for (size_t g = 0; g < ng; ++g) f << "," << r.limit_bytes_per_s[g] << "," << r.throughput_bytes_per_s[g];
    f << "\n";
  }
}

void print_table(const Trace& t, int64_t every_ms) {
  std::printf("%8s %9s %9s %9s %9s %9s\n", "t_s", "rate0_kB", "rate1_kB", "qdelay_ms", "cross_kB", "base_ms");
  for (const auto& r : t.rows) {
    if (r.t_ms % every_ms != 0) continue;
    double r1 = r.limit_bytes_per_s.size() > 1 ? r.throughput_bytes_per_s[1] / 1e3 : 0;
    std::printf("%8.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", double(r.t_ms) / 1e3, r.throughput_bytes_per_s[0] / 1e3, r1,
                r.queuing_delay_ms, r.cross_bytes_per_s / 1e3, r.base_rtt_ms);
  }
}

void summarize(const NamedScenario& n, const Trace& t) {
  int64_t from = n.settle_from_ms, to = n.spec.duration_ms;
  size_t slowdowns = 0, backoffs = 0, losses = 0, routes = 0;
  for (const auto& e : t.events) {
    slowdowns += e.event.kind == GovernorEventKind::slowdown_start;
    backoffs += e.event.kind == GovernorEventKind::backoff;
    losses += e.event.kind == GovernorEventKind::loss_backoff;
    routes += e.event.kind == GovernorEventKind::route_change;
  }
  std::printf("summary %-10s window %4lld-%4lld s: p50 added delay %5.1f ms, p95 %5.1f ms, p99 %5.1f ms, "
              "spare capacity taken %5.1f%%",
              n.name.c_str(), (long long)(from / 1000), (long long)(to / 1000), delay_percentile_ms(t, from, to, 50),
              delay_percentile_ms(t, from, to, 95), delay_percentile_ms(t, from, to, 99), 100 * spare_share(t, from, to));
  if (n.spec.governor_start_ms.size() > 1) {
    double a = mean_throughput(t, 0, from, to), b = mean_throughput(t, 1, from, to);
    std::printf(", rates %.0f/%.0f kB/s (ratio %.2f)", a / 1e3, b / 1e3, std::max(a, b) / std::max(1.0, std::min(a, b)));
  }
  if (n.name == "step") {  // the step is at 60 s
    double peak = 0;
    int64_t last_above = 60'000;
    for (const auto& [ts, qd] : t.delay_samples) {
      if (ts < 60'000 || ts >= 80'000) continue;
      peak = std::max(peak, qd);
      if (qd > n.spec.policy.target_delay_ms) last_above = ts;
    }
    std::printf(", after the step: peak %.1f ms, last above target %.1f s later", peak, double(last_above - 60'000) / 1e3);
  }
  std::printf(", min limit %.0f kB/s; events: %zu backoff, %zu loss_backoff, %zu slowdown, %zu route_change\n",
              min_limit(t, 0, from, to) / 1e3, backoffs, losses, slowdowns, routes);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Runs the WAN governor on the synthetic link model and prints traces"};
  std::string which = "all";
  std::string csv_dir;
  int every_s = 10;
  bool quiet = false;
  double capacity_mbit = 10;
  bool declare = false;
  app.add_option("--scenario", which, "step|drift|route|latecomer|loss|all");
  app.add_option("--csv-dir", csv_dir, "write SCENARIO.csv here");
  app.add_option("--every-s", every_s, "table row every N seconds")->check(CLI::Range(1, 3600));
  app.add_flag("--summary-only", quiet, "print only the summary lines");
  app.add_option("--capacity-mbit", capacity_mbit, "link capacity (cross traffic scales with it)")
      ->check(CLI::Range(0.1, 100000.0));
  app.add_flag("--declare-link", declare, "the policy declares the link capacity");
  CLI11_PARSE(app, argc, argv);
  auto names = scenario_names();
  if (which != "all") {
    if (std::find(names.begin(), names.end(), which) == names.end()) {
      std::fprintf(stderr, "unknown scenario '%s'\n", which.c_str());
      return 2;
    }
    names = {which};
  }
  for (const auto& name : names) {
    NamedScenario n = named_scenario(name, capacity_mbit * 125'000, declare);
    Trace t = run_scenario(n.spec);
    if (!quiet) {
      std::printf("== %s (C = %.0f kB/s, tick %lld ms)\n", name.c_str(), t.capacity_bytes_per_s / 1e3,
                  (long long)n.spec.tick_ms);
      print_table(t, int64_t(every_s) * 1000);
    }
    summarize(n, t);
    // Reference in the same run: the same scenario with the governor off
    // (latency_aware = false, no cap): what an ungoverned reflector does.
    NamedScenario ref = n;
    ref.spec.policy.latency_aware = false;
    Trace rt = run_scenario(ref.spec);
    int64_t from = n.settle_from_ms, to = n.spec.duration_ms;
    std::printf("reference %-8s ungoverned: p95 added delay %5.1f ms, spare capacity taken %5.1f%% (over 100%% = taken from the cross traffic); "
                "governed/ungoverned p95 delay ratio %.3f\n",
                name.c_str(), delay_percentile_ms(rt, from, to, 95), 100 * spare_share(rt, from, to),
                delay_percentile_ms(t, from, to, 95) / std::max(1e-9, delay_percentile_ms(rt, from, to, 95)));
    if (!csv_dir.empty()) write_csv(t, csv_dir + "/" + name + ".csv");
  }
  return 0;
}
