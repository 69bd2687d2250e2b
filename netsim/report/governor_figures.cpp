#include "netsim/report/governor_figures.hpp"

#include <algorithm>
#include <map>
#include <cmath>

#include "netsim/report/report.hpp"

namespace bc::netsim {

namespace {

// Bin i covers (t_ms[i] - dt_i, t_ms[i]].
std::int64_t bin_ms(const DirectionData& d, std::int64_t interval_ms, std::size_t i) {
  return i == 0 ? interval_ms : d.t_ms[i] - d.t_ms[i - 1];
}

bool inside(const DirectionData& d, std::int64_t interval_ms, std::size_t i, std::int64_t from, std::int64_t to) {
  return d.t_ms[i] - bin_ms(d, interval_ms, i) >= from && d.t_ms[i] <= to;
}

std::uint64_t at(const std::vector<std::uint64_t>& v, std::size_t i) { return i < v.size() ? v[i] : 0; }

// Rollout = everything but the cross-traffic node's packets.
double rollout_ip(const DirectionData& d, std::size_t i) {
  return double(d.bytes[i]) - double(std::min(at(d.xt_bytes, i), d.bytes[i]));
}
double rollout_payload(const DirectionData& d, std::size_t i) {
  return double(at(d.payload_bytes, i)) - double(std::min(at(d.xt_payload_bytes, i), at(d.payload_bytes, i)));
}

void rollout_period(const Scenario& s, const BranchDef& b, const RunInputs& in, const DirectionData* down,
                    GovernorFigures& f) {
  for (const AssignmentDef& a : s.assignments) {
    const bool targets = a.branches.empty() || std::find(a.branches.begin(), a.branches.end(), b.name) != a.branches.end();
    if (targets && (f.rollout_start_ms < 0 || a.at_ms < f.rollout_start_ms)) f.rollout_start_ms = a.at_ms;
  }
  if (f.rollout_start_ms < 0) return;
  f.rollout_done = b.endpoints > 0;
  for (std::size_t e = 1; e <= b.endpoints; ++e) {
    std::int64_t last = -1;
    for (const NodeData& n : in.nodes)
      if (n.name == b.endpoint_name(e))
        for (const Completion& c : n.completions) last = std::max(last, c.done_ms);
    if (last < f.rollout_start_ms) f.rollout_done = false;
    f.rollout_end_ms = std::max(f.rollout_end_ms, last);
  }
  if (!f.rollout_done) f.rollout_end_ms = down != nullptr && !down->t_ms.empty() ? down->t_ms.back() : -1;
}

// The smallest whole-ms bucket's upper edge holding the q-quantile of the
// merged histogram; -1 when empty.
double hist_quantile_ms(const std::map<std::int32_t, std::uint64_t>& h, std::uint64_t total, double q) {
  if (total == 0) return -1;
  const double want = q * double(total);
  std::uint64_t seen = 0;
  for (const auto& [ms, n] : h) {
    seen += n;
    if (double(seen) >= want) return double(ms + 1);
  }
  return double(h.rbegin()->first + 1);
}

// Merges the per-point histograms of `h` over the rollout (`during`) and
// before it (`before`); false when the series is missing.
bool merge_histograms(const DirectionData& d, const std::vector<std::vector<std::pair<std::int32_t, std::uint32_t>>>& h,
                      std::int64_t interval_ms, const GovernorFigures& f, std::map<std::int32_t, std::uint64_t>& during,
                      std::uint64_t& n_during, std::map<std::int32_t, std::uint64_t>& before, std::uint64_t& n_before) {
  if (h.size() != d.t_ms.size()) return false;
  for (std::size_t i = 0; i < d.t_ms.size(); ++i) {
    const bool in_rollout = inside(d, interval_ms, i, f.rollout_start_ms, f.rollout_end_ms);
    const bool earlier = d.t_ms[i] <= f.rollout_start_ms;
    if (!in_rollout && !earlier) continue;
    for (const auto& [ms, n] : h[i]) {
      (in_rollout ? during : before)[ms] += n;
      (in_rollout ? n_during : n_before) += n;
    }
  }
  return true;
}

void cross_queue_figures(const DirectionData& d, std::int64_t interval_ms, GovernorFigures& f) {
  std::map<std::int32_t, std::uint64_t> during, before;
  std::uint64_t n_during = 0, n_before = 0;
  if (!merge_histograms(d, d.xt_queue_delay_ms, interval_ms, f, during, n_during, before, n_before)) return;
  f.xt_qdelay_packets = n_during;
  if (n_during == 0) return;
  f.xt_qdelay_p50_ms = hist_quantile_ms(during, n_during, 0.50);
  f.xt_qdelay_p95_ms = hist_quantile_ms(during, n_during, 0.95);
  f.xt_qdelay_unloaded_p50_ms = n_before > 0 ? hist_quantile_ms(before, n_before, 0.50) : 0;
  f.xt_qdelay_added_p95_ms = f.xt_qdelay_p95_ms - f.xt_qdelay_unloaded_p50_ms;
  std::map<std::int32_t, std::uint64_t> added, added_before;
  std::uint64_t n_added = 0, n_added_before = 0;
  if (!merge_histograms(d, d.xt_added_delay_ms, interval_ms, f, added, n_added, added_before, n_added_before) ||
      n_added == 0)
    return;
  f.xt_added_p50_ms = hist_quantile_ms(added, n_added, 0.50);
  f.xt_added_p95_ms = hist_quantile_ms(added, n_added, 0.95);
  f.xt_added_unloaded_p95_ms = n_added_before > 0 ? hist_quantile_ms(added_before, n_added_before, 0.95) : 0;
}

// cap_bytes_per_s: the branch's static download cap, 0 = none.
void link_figures(const DirectionData& d, std::int64_t interval_ms, std::int64_t cap_bytes_per_s, GovernorFigures& f) {
  double rollout = 0, cross = 0, ms = 0, allowed = 0;
  std::vector<double> mean_q, max_q;
  for (std::size_t i = 0; i < d.t_ms.size(); ++i) {
    if (!inside(d, interval_ms, i, f.rollout_start_ms, f.rollout_end_ms)) continue;
    rollout += rollout_ip(d, i);
    cross += double(std::min(at(d.xt_bytes, i), d.bytes[i]));
    ms += double(bin_ms(d, interval_ms, i));
    const double bin_s = double(bin_ms(d, interval_ms, i)) / 1000.0;
    const double free = double(d.rate_bytes_per_s) * bin_s - double(std::min(at(d.xt_bytes, i), d.bytes[i]));
    allowed += std::max(0.0, cap_bytes_per_s > 0 ? std::min(free, double(cap_bytes_per_s) * bin_s) : free);
    if (i < d.mean_queue_delay_us.size()) mean_q.push_back(double(d.mean_queue_delay_us[i]) / 1000.0);
    max_q.push_back(double(d.max_queue_delay_us[i]) / 1000.0);
  }
  if (ms <= 0) return;
  f.rollout_mbit = rollout * 8 / 1000.0 / ms;
  f.cross_mbit = cross * 8 / 1000.0 / ms;
  const double spare = double(d.rate_bytes_per_s) * ms / 1000.0 - cross;
  if (d.rate_bytes_per_s > 0 && spare > 0) f.spare_taken = rollout / spare;
  if (cap_bytes_per_s > 0 && allowed > 0) f.spare_taken_within_cap = rollout / allowed;
  f.qdelay_mean_p50_ms = percentile(mean_q, 0.50);
  f.qdelay_mean_p95_ms = percentile(mean_q, 0.95);
  f.qdelay_max_p95_ms = percentile(max_q, 0.95);
}

void added_delay(const BranchDef& b, const RunInputs& in, GovernorFigures& f) {
  std::vector<double> before, during, all;
  for (const InteractiveData& d : in.interactive) {
    if (d.branch != b.name) continue;
    all.insert(all.end(), d.latency_ms.begin(), d.latency_ms.end());
    for (std::size_t i = 0; i < d.t_ms.size() && i < d.latency_ms.size(); ++i) {
      if (d.t_ms[i] < double(f.rollout_start_ms)) before.push_back(d.latency_ms[i]);
      else if (d.t_ms[i] <= double(f.rollout_end_ms)) during.push_back(d.latency_ms[i]);
    }
  }
  if (all.empty() || during.empty()) return;
  f.baseline_ms = before.empty() ? *std::min_element(all.begin(), all.end()) : percentile(before, 0.5);
  for (double& v : during) v -= f.baseline_ms;
  f.added_samples = during.size();
  f.added_p50_ms = percentile(during, 0.50);
  f.added_p95_ms = percentile(during, 0.95);
}

// The first 1 s window after the boundary whose mean payload rate is within
// 10% of the new cap, or (old_cap > 0) past the midpoint of old and new.
double change_latency(const DirectionData& d, std::int64_t interval_ms, std::int64_t boundary_ms, std::int64_t cap,
                      std::int64_t old_cap = 0) {
  if (cap <= 0 || d.payload_bytes.empty()) return -1;
  for (std::size_t i = 0; i < d.t_ms.size(); ++i) {
    if (d.t_ms[i] < boundary_ms || d.t_ms[i] > boundary_ms + 30'000) continue;
    double bytes = 0, ms = 0;
    for (std::size_t k = i + 1; k-- > 0 && ms < 1000;) {
      bytes += rollout_payload(d, k);
      ms += double(bin_ms(d, interval_ms, k));
    }
    if (ms < 1000) continue;
    const double rate = bytes * 1000.0 / ms;
    if (old_cap > 0) {
      const double mid = 0.5 * double(old_cap + cap);
      if ((cap < old_cap && rate < mid) || (cap > old_cap && rate > mid)) return double(d.t_ms[i] - boundary_ms);
    } else if (std::abs(rate / double(cap) - 1.0) <= 0.10) {
      return double(d.t_ms[i] - boundary_ms);
    }
  }
  return -1;
}

}  // namespace

CapCheck check_cap(const DirectionData& d, std::int64_t interval_ms, std::int64_t from_ms, std::int64_t to_ms,
                   std::int64_t cap) {
  CapCheck c;
  c.from_ms = from_ms, c.to_ms = to_ms, c.cap_bytes_per_s = cap;
  if (cap <= 0 || d.payload_bytes.empty()) return c;
  double sum_p = 0, sum_ip = 0;
  for (std::int64_t w = from_ms; w + kCapWindowMs <= to_ms; w += kCapStepMs) {
    double p = 0, ip = 0, ms = 0;
    for (std::size_t i = 0; i < d.t_ms.size(); ++i) {
      if (!inside(d, interval_ms, i, w, w + kCapWindowMs)) continue;
      p += rollout_payload(d, i);
      ip += rollout_ip(d, i);
      ms += double(bin_ms(d, interval_ms, i));
    }
    if (ms < 0.9 * double(kCapWindowMs)) continue;  // a gap in the series
    const double rp = p * 1000.0 / ms / double(cap), ri = ip * 1000.0 / ms / double(cap);
    c.payload_min = c.windows == 0 ? rp : std::min(c.payload_min, rp);
    c.payload_max = c.windows == 0 ? rp : std::max(c.payload_max, rp);
    c.ip_min = c.windows == 0 ? ri : std::min(c.ip_min, ri);
    c.ip_max = c.windows == 0 ? ri : std::max(c.ip_max, ri);
    sum_p += rp, sum_ip += ri;
    c.windows++;
  }
  if (c.windows > 0) c.payload_mean = sum_p / c.windows, c.ip_mean = sum_ip / c.windows;
  return c;
}

GovernorFigures governor_figures(const Scenario& s, const BranchDef& b, const RunInputs& in) {
  GovernorFigures f;
  f.branch = b.name;
  f.mode = to_string(b.governor);
  f.capacity_mbit = double(b.wan.down_bytes_per_s) * 8 / 1e6;
  const LinkData* link = nullptr;
  for (const LinkData& l : in.links)
    if (l.branch == b.name) link = &l;
  rollout_period(s, b, in, link ? &link->down : nullptr, f);
  if (f.rollout_start_ms < 0 || f.rollout_end_ms <= f.rollout_start_ms) return f;
  added_delay(b, in, f);
  if (link == nullptr) return f;
  const DirectionData& d = link->down;
  std::int64_t static_cap = 0;
  if (b.wan_policy && b.governor == GovernorMode::on && b.wan_policy->windows.empty()) {
    const auto& cap = b.wan_policy->default_caps.download;
    if (cap.kind == governor::RateCap::Kind::bytes_per_s) static_cap = cap.bytes_per_s;
    if (cap.kind == governor::RateCap::Kind::percent && b.wan_policy->link_down_bytes_per_s > 0)
      static_cap = std::int64_t(cap.percent / 100.0 * double(b.wan_policy->link_down_bytes_per_s));
  }
  link_figures(d, link->interval_ms, static_cap, f);
  cross_queue_figures(d, link->interval_ms, f);
  const std::int64_t settled = f.rollout_start_ms + kCapSettleMs;
  const WindowChangeData* wc = nullptr;
  for (const WindowChangeData& w : in.window_changes)
    if (w.branch == b.name) wc = &w;
  if (wc != nullptr) {
    if (wc->cap_before_bytes_per_s > 0 && wc->at_ms > settled)
      f.caps.push_back(check_cap(d, link->interval_ms, settled, std::min(wc->at_ms, f.rollout_end_ms), wc->cap_before_bytes_per_s));
    const std::int64_t after = std::max(settled, wc->at_ms + kWindowChangeSettleMs);
    if (wc->cap_after_bytes_per_s > 0)
      f.caps.push_back(check_cap(d, link->interval_ms, after, std::min(wc->end_ms, f.rollout_end_ms), wc->cap_after_bytes_per_s));
    if (wc->at_ms < f.rollout_end_ms) {
      f.window_change_latency_ms = change_latency(d, link->interval_ms, wc->at_ms, wc->cap_after_bytes_per_s);
      if (wc->cap_before_bytes_per_s > 0 && wc->cap_before_bytes_per_s != wc->cap_after_bytes_per_s)
        f.window_change_half_ms =
            change_latency(d, link->interval_ms, wc->at_ms, wc->cap_after_bytes_per_s, wc->cap_before_bytes_per_s);
    }
  } else if (b.wan_policy && b.governor == GovernorMode::on) {
    const auto& cap = b.wan_policy->default_caps.download;
    if (b.wan_policy->windows.empty() && cap.kind == governor::RateCap::Kind::bytes_per_s)
      f.caps.push_back(check_cap(d, link->interval_ms, settled, f.rollout_end_ms, cap.bytes_per_s));
  }
  return f;
}

nlohmann::json GovernorFigures::to_json() const {
  nlohmann::json caps_j = nlohmann::json::array();
  for (const CapCheck& c : caps)
    caps_j.push_back({{"from_ms", c.from_ms}, {"to_ms", c.to_ms}, {"cap_bytes_per_s", c.cap_bytes_per_s},
                      {"windows_10s", c.windows},
                      {"payload_ratio", {{"min", c.payload_min}, {"mean", c.payload_mean}, {"max", c.payload_max}}},
                      {"ip_ratio", {{"min", c.ip_min}, {"mean", c.ip_mean}, {"max", c.ip_max}}}});
  return {{"branch", branch}, {"mode", mode}, {"rollout_start_ms", rollout_start_ms},
          {"rollout_end_ms", rollout_end_ms}, {"rollout_done", rollout_done},
          {"rollout_s", rollout_end_ms > rollout_start_ms ? double(rollout_end_ms - rollout_start_ms) / 1000.0 : -1.0},
          {"capacity_mbit", capacity_mbit}, {"rollout_mbit", rollout_mbit}, {"cross_mbit", cross_mbit},
          {"spare_taken", spare_taken},
          {"spare_taken_within_cap", spare_taken_within_cap},
          {"cross_queue_delay_ms",
           {{"p50", xt_qdelay_p50_ms}, {"p95", xt_qdelay_p95_ms}, {"unloaded_p50", xt_qdelay_unloaded_p50_ms},
            {"added_p95", xt_qdelay_added_p95_ms}, {"packets", xt_qdelay_packets},
            {"added_vs_alone_p50", xt_added_p50_ms}, {"added_vs_alone_p95", xt_added_p95_ms},
            {"added_vs_alone_unloaded_p95", xt_added_unloaded_p95_ms}}},
          {"interactive_added_ms", {{"baseline", baseline_ms}, {"p50", added_p50_ms}, {"p95", added_p95_ms},
                                    {"samples", added_samples}}},
          {"queue_delay_rollout_ms", {{"mean_p50", qdelay_mean_p50_ms}, {"mean_p95", qdelay_mean_p95_ms},
                                      {"max_p95", qdelay_max_p95_ms}}},
          {"caps", caps_j}, {"window_change_latency_ms", window_change_latency_ms},
          {"window_change_half_ms", window_change_half_ms}};
}

}  // namespace bc::netsim
