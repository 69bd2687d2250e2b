#include "netsim/scenario/scenario.hpp"

#include <cmath>
#include <set>

#include "netsim/topo/topology_spec.hpp"
#include "netsim/wanem/link_options.hpp"

namespace bc::netsim {

namespace {

Status bad(const std::string& where, const std::string& why) { return Status::invalid_argument(where + ": " + why); }

Status check_rate(const std::string& where, std::uint64_t v) {
  if (v < 1000 || v > kMaxRateBytesPerS) return bad(where, "must be in [0.008, 10000] Mbit/s");
  return Status();
}

Status check_time(const std::string& where, std::int64_t t, std::int64_t duration_ms) {
  if (t < 0 || t > duration_ms) return bad(where, "must be in [0, duration_s]");
  return Status();
}

Status check_wan(const std::string& at, const WanDef& w) {
  BC_RETURN_IF_ERROR(check_rate(at + ".down_mbit", w.down_bytes_per_s));
  BC_RETURN_IF_ERROR(check_rate(at + ".up_mbit", w.up_bytes_per_s));
  if (!(w.rtt_ms > 0)) return bad(at + ".rtt_ms", "must be > 0");
  if (w.rtt_ms * 500 > static_cast<double>(kMaxDelayUs)) return bad(at + ".rtt_ms", "must be <= 20000");
  if (w.queue_bytes > kMaxQueueLimitBytes) return bad(at + ".queue_bytes", "must be <= 256 MiB");
  if (w.queue_bytes == 0 && !(w.queue_ms > 0 && w.queue_ms <= 10'000)) return bad(at + ".queue_ms", "must be in (0, 10000]");
  if (w.queue_bytes > 0 && w.queue_bytes < 1500) return bad(at + ".queue_bytes", "must be >= 1500 (one packet)");
  if (!(w.loss >= 0 && w.loss <= 0.5)) return bad(at + ".loss", "must be in [0, 0.5]");
  return Status();
}

Status check_cross(const std::string& at, const CrossFlowDef& f, std::int64_t duration_ms) {
  BC_RETURN_IF_ERROR(check_time(at + ".start_s", f.start_ms, duration_ms));
  if (f.stop_ms != -1 && (f.stop_ms <= f.start_ms || f.stop_ms > duration_ms))
    return bad(at + ".stop_s", "must be after start_s and within duration_s");
  if (f.kind == CrossKind::constant) return check_rate(at + ".rate_mbit", f.rate_bytes_per_s);
  if (f.request_bytes < 1 || f.request_bytes > (1u << 20)) return bad(at + ".request_bytes", "must be in [1, 1 MiB]");
  if (f.response_bytes < 1 || f.response_bytes > (64u << 20)) return bad(at + ".response_bytes", "must be in [1, 64 MiB]");
  if (f.interval_ms < 10 || f.interval_ms > 3'600'000) return bad(at + ".interval_ms", "must be in [10, 3600000]");
  return Status();
}

Status check_branch(const std::string& at, BranchDef& b, std::int64_t duration_ms) {
  if (!is_short_name(b.name, 12, false) || b.name == "dc") return bad(at + ".name", "must be 1..12 of [a-z0-9], not \"dc\"");
  BC_RETURN_IF_ERROR(check_wan(at + ".wan", b.wan));
  if (b.reflectors > kMaxNodesPerRole) return bad(at + ".reflectors", "must be <= 64");
  if (b.endpoints > kMaxNodesPerRole) return bad(at + ".endpoints", "must be <= 64");
  if (b.reflectors + b.endpoints == 0) return bad(at, "has no reflector and no endpoint");
  BC_RETURN_IF_ERROR(check_rate(at + ".lan_mbit", b.lan_bytes_per_s));
  if (b.cross_traffic.size() > kMaxCrossFlowsPerBranch) return bad(at + ".cross_traffic", "more than 16 flows");
  for (std::size_t i = 0; i < b.cross_traffic.size(); ++i) {
    BC_RETURN_IF_ERROR(check_cross(at + ".cross_traffic[" + std::to_string(i) + "]", b.cross_traffic[i], duration_ms));
  }
  b.wan_policy.reset();
  if (!b.wan_policy_json.empty()) {
    auto p = governor::WanPolicy::decode(b.wan_policy_json);
    if (!p.ok()) return bad(at + ".wan_policy", p.status().message());
    b.wan_policy = *p;
  }
  if (b.cap_window) {
    BC_RETURN_IF_ERROR(check_time(at + ".cap_window.after_s", b.cap_window->after_ms, duration_ms));
    BC_RETURN_IF_ERROR(check_rate(at + ".cap_window.down_mbit", b.cap_window->down_bytes_per_s));
    if (b.cap_window->minutes < 1 || b.cap_window->minutes > 60) return bad(at + ".cap_window.minutes", "must be in [1, 60]");
    if (b.governor != GovernorMode::on) return bad(at + ".cap_window", "needs governor = \"on\" (caps are the governor's)");
    const std::int64_t floor = b.wan_policy ? b.wan_policy->floor_bytes_per_s : governor::WanPolicy{}.floor_bytes_per_s;
    if (static_cast<std::int64_t>(b.cap_window->down_bytes_per_s) < floor)
      return bad(at + ".cap_window.down_mbit", "must be >= the policy's floor");
  }
  return Status();
}

// A realistic layer's size comes from the root: the random-only keys are
// refused rather than ignored, so nobody believes they had an effect.
Status check_realistic_layer(const std::string& at, const LayerDef& l) {
  const char* why = "not used with content = \"realistic\" (the Debian root decides the content)";
  if (l.size_bytes != 0) return bad(at + ".size_mib", why);
  if (!l.file_mix.empty()) return bad(at + ".file_mix", why);
  if (l.v2_change_ratio) return bad(at + ".v2_change_ratio", std::string(why) + "; use v2 = \"upgrade\"");
  if (!(l.subset_fraction > 0 && l.subset_fraction <= 1)) return bad(at + ".subset_fraction", "must be in (0, 1]");
  if (l.subtree.size() > 255 || (!l.subtree.empty() && (l.subtree.front() == '/' || l.subtree.back() == '/')))
    return bad(at + ".subtree", "must be a relative directory of at most 255 bytes, without a leading or trailing /");
  for (std::size_t from = 0; from <= l.subtree.size() && !l.subtree.empty();) {
    std::size_t to = std::min(l.subtree.find('/', from), l.subtree.size());
    std::string part = l.subtree.substr(from, to - from);
    if (part.empty() || part == "." || part == "..") return bad(at + ".subtree", "must not hold empty, . or .. parts");
    from = to + 1;
  }
  return Status();
}

Status check_layer(const std::string& at, const LayerDef& l) {
  if (!is_short_name(l.name, 32, true)) return bad(at + ".name", "must be 1..32 of [a-z0-9-]");
  if (l.content == LayerContent::realistic) return check_realistic_layer(at, l);
  if (!l.subtree.empty()) return bad(at + ".subtree", "only with content = \"realistic\"");
  if (l.v2_upgrade) return bad(at + ".v2", "\"upgrade\" only with content = \"realistic\"; use v2_change_ratio");
  if (l.size_bytes == 0 || l.size_bytes > kMaxLayerBytes) return bad(at + ".size", "must be in (0, 64 GiB]");
  if (l.file_mix.size() > kMaxFileMixEntries) return bad(at + ".file_mix", "more than 16 entries");
  double sum = 0;
  for (std::size_t i = 0; i < l.file_mix.size(); ++i) {
    const auto& e = l.file_mix[i];
    std::string ei = at + ".file_mix[" + std::to_string(i) + "]";
    if (e.file_bytes == 0 || e.file_bytes > l.size_bytes) return bad(ei + ".file_bytes", "must be in (0, layer size]");
    if (!(e.share > 0 && e.share <= 1)) return bad(ei + ".share", "must be in (0, 1]");
    sum += e.share;
  }
  if (!l.file_mix.empty() && std::fabs(sum - 1.0) > 1e-6) return bad(at + ".file_mix", "shares must sum to 1");
  if (l.v2_change_ratio && !(*l.v2_change_ratio > 0 && *l.v2_change_ratio <= 1))
    return bad(at + ".v2_change_ratio", "must be in (0, 1]");
  return Status();
}

}  // namespace

std::string BranchDef::reflector_name(std::size_t i) const { return name + "-r" + std::to_string(i); }
std::string BranchDef::endpoint_name(std::size_t i) const { return name + "-e" + std::to_string(i); }

const BranchDef* Scenario::branch(const std::string& n) const {
  for (const auto& b : branches)
    if (b.name == n) return &b;
  return nullptr;
}

const LayerDef* Scenario::layer(const std::string& n) const {
  for (const auto& l : layers)
    if (l.name == n) return &l;
  return nullptr;
}

Status Scenario::validate() {
  if (!is_short_name(name, 32, true)) return bad("name", "must be 1..32 of [a-z0-9-]");
  if (duration_ms < 1000 || duration_ms > kMaxScenarioDurationMs) return bad("duration_s", "must be in [1, 86400]");
  BC_RETURN_IF_ERROR(check_rate("datacenter.uplink_mbit", datacenter.uplink_bytes_per_s));
  if (branches.empty() || branches.size() > kMaxScenarioBranches) return bad("branches", "must have 1..64 entries");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < branches.size(); ++i) {
    std::string at = "branches[" + std::to_string(i) + "]";
    BC_RETURN_IF_ERROR(check_branch(at, branches[i], duration_ms));
    if (!seen.insert(branches[i].name).second) return bad(at + ".name", "duplicate \"" + branches[i].name + "\"");
  }
  if (layers.empty() || layers.size() > kMaxScenarioLayers) return bad("layers", "must have 1..64 entries");
  seen.clear();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::string at = "layers[" + std::to_string(i) + "]";
    BC_RETURN_IF_ERROR(check_layer(at, layers[i]));
    if (!seen.insert(layers[i].name).second) return bad(at + ".name", "duplicate \"" + layers[i].name + "\"");
  }
  if (assignments.empty() || assignments.size() > kMaxAssignments) return bad("assignments", "must have 1..256 entries");
  for (std::size_t i = 0; i < assignments.size(); ++i) {
    const auto& a = assignments[i];
    std::string at = "assignments[" + std::to_string(i) + "]";
    BC_RETURN_IF_ERROR(check_time(at + ".at_s", a.at_ms, duration_ms));
    const LayerDef* l = layer(a.layer);
    if (l == nullptr) return bad(at + ".layer", "no layer \"" + a.layer + "\"");
    if (a.version != 1 && a.version != 2) return bad(at + ".version", "must be 1 or 2");
    if (a.version == 2 && !l->has_v2()) return bad(at + ".version", "layer \"" + a.layer + "\" has no version 2");
    for (const auto& b : a.branches)
      if (branch(b) == nullptr) return bad(at + ".branches", "no branch \"" + b + "\"");
  }
  if (faults.size() > kMaxFaults) return bad("faults", "more than 256 entries");
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const auto& f = faults[i];
    std::string at = "faults[" + std::to_string(i) + "]";
    BC_RETURN_IF_ERROR(check_time(at + ".at_s", f.at_ms, duration_ms));
    bool needs_end = f.kind != FaultKind::kill_reflector;
    if ((needs_end || f.until_ms != -1) && (f.until_ms <= f.at_ms || f.until_ms > duration_ms))
      return bad(at + ".until_s", "must be after at_s and within duration_s");
    if (f.kind == FaultKind::kill_reflector) {
      bool found = false;
      for (const auto& b : branches)
        for (std::size_t r = 1; r <= b.reflectors; ++r) found = found || b.reflector_name(r) == f.node;
      if (!found) return bad(at + ".node", "no reflector \"" + f.node + "\"");
    }
    if (f.kind == FaultKind::cut_wan && branch(f.branch) == nullptr) return bad(at + ".branch", "no branch \"" + f.branch + "\"");
  }
  return Status();
}

const char* to_string(CrossKind k) { return k == CrossKind::constant ? "constant" : "interactive"; }
const char* to_string(Direction d) { return d == Direction::down ? "down" : "up"; }
const char* to_string(GovernorMode m) {
  switch (m) {
    case GovernorMode::on: return "on";
    case GovernorMode::ledbat: return "ledbat";
    case GovernorMode::off_tcp: return "off-tcp";
  }
  return "?";
}
const char* to_string(LayerContent c) { return c == LayerContent::realistic ? "realistic" : "random"; }
const char* to_string(FaultKind k) {
  switch (k) {
    case FaultKind::kill_reflector: return "kill_reflector";
    case FaultKind::stop_tracker: return "stop_tracker";
    case FaultKind::cut_wan: return "cut_wan";
  }
  return "?";
}

}  // namespace bc::netsim
