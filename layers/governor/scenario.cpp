#include "layers/governor/scenario.hpp"

#include <algorithm>
#include <cmath>

namespace bc::governor {

namespace {

struct Node {
  Governor gov;
  int64_t start_ms;
  double limit = 0;  // bytes/s in force
  std::vector<double> samples;
};

}  // namespace

Trace run_scenario(const ScenarioSpec& spec) {
  Trace trace;
  trace.capacity_bytes_per_s = spec.link.capacity_bytes_per_s;
  size_t ng = spec.governor_start_ms.size();
  BottleneckLink link(spec.link, ng + 1);  // flow ng = cross traffic
  std::vector<Node> nodes;
  for (int64_t s : spec.governor_start_ms) nodes.push_back({Governor(spec.options), s});
  std::vector<double> offered(ng + 1, 0);
  double max_offer = 10 * spec.link.capacity_bytes_per_s;

  for (int64_t t = 0; t < spec.duration_ms; t += spec.step_ms) {
    for (size_t g = 0; g < ng; ++g) offered[g] = t >= nodes[g].start_ms ? std::min(nodes[g].limit, max_offer) : 0;
    offered[ng] = spec.cross_bytes_per_s(t);
    link.step(double(spec.step_ms), offered);
    int64_t now = t + spec.step_ms;
    bool in_gap = now >= spec.gap_from_ms && now < spec.gap_to_ms;
    if (now % spec.sample_ms == 0) {
      double qd = link.queuing_delay_ms();
      trace.delay_samples.push_back({now, qd});
      if (!in_gap)
        for (auto& n : nodes) n.samples.push_back(spec.base_rtt_ms(now) + qd);
    }
    if (now % spec.tick_ms != 0) continue;
    TraceRow row;
    row.t_ms = now;
    row.queuing_delay_ms = link.queuing_delay_ms();
    row.cross_bytes_per_s = spec.cross_bytes_per_s(now);
    row.base_rtt_ms = spec.base_rtt_ms(now);
    for (size_t g = 0; g < ng; ++g) {
      Node& n = nodes[g];
      double bytes = link.take_delivered(g);
      int64_t losses = link.take_losses(g);
      row.throughput_bytes_per_s.push_back(bytes * 1000.0 / double(spec.tick_ms));
      if (now < n.start_ms) {
        n.samples.clear();
        row.limit_bytes_per_s.push_back(0);
        continue;
      }
      GovernorInput in;
      in.now_ms = now;
      in.unix_time_s = spec.start_unix_s + now / 1000;
      in.rtt_samples_ms = n.samples;
      in.bytes_down = int64_t(bytes);
      in.loss_events = losses;
      GovernorDecision d = n.gov.tick(in, spec.policy);
      n.samples.clear();
      n.limit = d.down_limit_bytes_per_s == kNoLimit ? max_offer : double(d.down_limit_bytes_per_s);
      row.limit_bytes_per_s.push_back(n.limit);
      for (const auto& e : d.events)
        if (e.kind != GovernorEventKind::grow && e.dir == Direction::down) trace.events.push_back({now, g, e});
    }
    link.take_delivered(ng);
    link.take_losses(ng);
    trace.rows.push_back(std::move(row));
  }
  return trace;
}

double delay_percentile_ms(const Trace& t, int64_t from_ms, int64_t to_ms, double pct) {
  std::vector<double> v;
  for (const auto& [ts, qd] : t.delay_samples)
    if (ts >= from_ms && ts < to_ms) v.push_back(qd);
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t idx = std::min(v.size() - 1, size_t(std::ceil(pct / 100.0 * double(v.size()))) - (pct > 0 ? 1 : 0));
  return v[idx];
}

double spare_share(const Trace& t, int64_t from_ms, int64_t to_ms) {
  double got = 0, spare = 0;
  for (const auto& r : t.rows) {
    if (r.t_ms < from_ms || r.t_ms >= to_ms) continue;
    for (double x : r.throughput_bytes_per_s) got += x;
    spare += std::max(0.0, t.capacity_bytes_per_s - r.cross_bytes_per_s);
  }
  return spare > 0 ? got / spare : 0;
}

double mean_throughput(const Trace& t, size_t g, int64_t from_ms, int64_t to_ms) {
  double sum = 0;
  size_t n = 0;
  for (const auto& r : t.rows)
    if (r.t_ms >= from_ms && r.t_ms < to_ms) sum += r.throughput_bytes_per_s[g], ++n;
  return n ? sum / double(n) : 0;
}

double min_limit(const Trace& t, size_t g, int64_t from_ms, int64_t to_ms) {
  double m = INFINITY;
  for (const auto& r : t.rows)
    if (r.t_ms >= from_ms && r.t_ms < to_ms) m = std::min(m, r.limit_bytes_per_s[g]);
  return m;
}

double max_limit(const Trace& t, size_t g, int64_t from_ms, int64_t to_ms) {
  double m = 0;
  for (const auto& r : t.rows)
    if (r.t_ms >= from_ms && r.t_ms < to_ms) m = std::max(m, r.limit_bytes_per_s[g]);
  return m;
}

std::vector<std::string> scenario_names() { return {"step", "drift", "route", "latecomer", "loss"}; }

NamedScenario named_scenario(const std::string& name, double capacity_bytes_per_s, bool declare_link) {
  NamedScenario n;
  n.name = name;
  ScenarioSpec& s = n.spec;
  const double c = capacity_bytes_per_s;
  s.link.capacity_bytes_per_s = c;
  s.policy.floor_bytes_per_s = std::min<int64_t>(s.policy.floor_bytes_per_s, std::max<int64_t>(1, int64_t(c / 40)));
  if (declare_link) s.policy.link_down_bytes_per_s = int64_t(c);
  if (name == "drift") {
    s.duration_ms = 720'000;
    s.base_rtt_ms = [](int64_t t) { return 40.0 + 20.0 * std::clamp(double(t - 60'000) / 600'000.0, 0.0, 1.0); };
    s.cross_bytes_per_s = [c](int64_t) { return 0.3 * c; };
    n.settle_from_ms = 60'000;
  } else if (name == "route") {
    s.duration_ms = 720'000;
    s.base_rtt_ms = [](int64_t t) { return t < 120'000 ? 40.0 : t < 420'000 ? 80.0 : 30.0; };
    s.cross_bytes_per_s = [c](int64_t) { return 0.3 * c; };
    n.settle_from_ms = 60'000;
  } else if (name == "latecomer") {
    s.duration_ms = 600'000;
    s.governor_start_ms = {0, 60'000};
    n.settle_from_ms = 300'000;
  } else if (name == "loss") {
    s.duration_ms = 300'000;
    s.link.random_loss_per_packet = 2e-4;
    s.cross_bytes_per_s = [c](int64_t) { return 0.3 * c; };
    n.settle_from_ms = 60'000;
  } else {
    n.name = "step";
    s.duration_ms = 180'000;
    s.cross_bytes_per_s = [c](int64_t t) { return t < 60'000 ? 0.0 : 0.6 * c; };
    n.settle_from_ms = 90'000;
  }
  return n;
}

}  // namespace bc::governor
