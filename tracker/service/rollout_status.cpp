#include "tracker/service/rollout_status.hpp"

#include <algorithm>

#include "layers/governor/wan_policy.hpp"
#include "tracker/service/status_summary.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

int64_t num(const json& o, const char* key) {
  if (!o.is_object()) return 0;
  auto it = o.find(key);
  return it != o.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// One endpoint's state for `ref`: {done?, downloading?, failed?, bytes_done, bytes_total}.
struct NodeLayer {
  bool done = false, downloading = false, failed = false;
  int64_t bytes_done = 0, bytes_total = 0;
};

NodeLayer node_layer(const json& report, const std::string& ref, int64_t size) {
  NodeLayer n;
  n.bytes_total = size;
  if (!report.is_object()) return n;
  for (const auto& l : report.value("layers", json::array())) {
    if (!l.is_object() || l.value("ref", "") != ref) continue;
    const std::string state = l.value("state", "");
    n.done = state == "complete" || state == "applied";
    n.downloading = state == "downloading" || state == "verifying";
    n.failed = state == "failed";
    if (num(l, "bytes_total") > 0) n.bytes_total = num(l, "bytes_total");
    n.bytes_done = std::min(num(l, "bytes_done"), n.bytes_total);
  }
  for (const auto& a : report.value("applied", json::array()))
    if (a.is_string() && a.get<std::string>() == ref) n.done = true;
  if (n.done) n.bytes_done = n.bytes_total;
  return n;
}

BranchTally& tally_for(std::map<std::string, BranchTally>& out, const std::string& branch) {
  BranchTally& t = out[branch];
  for (const char* s : kByteSources) t.bytes_by_source.emplace(s, 0);
  return t;
}

void add_node(BranchTally& t, const RolloutNode& n) {
  const json& r = n.report;
  const json src = r.is_object() ? r.value("bytes_by_source", json::object()) : json::object();
  for (const char* s : kByteSources) t.bytes_by_source[s] += num(src, s);
  t.wan_bytes += num(src, "origin");
  if (r.is_object() && !r.value("last_error", "").empty())
    t.errors.push_back({{"node", n.id}, {"error", r.value("last_error", "")}, {"time", num(r, "received_at")}});
  if (n.role != "endpoint") return;
  ++t.endpoints;
  for (const auto& [ref, size] : n.desired) {
    NodeLayer nl = node_layer(r, ref, size);
    BranchTally::Layer& l = t.layers[ref];
    ++l.counts.total;
    l.counts.done += nl.done;
    l.downloading += nl.downloading && !nl.done;
    l.failed += nl.failed;
    l.counts.bytes_done += nl.bytes_done;
    l.counts.bytes_total += nl.bytes_total;
  }
}

// Second pass: who lags behind a layer most of the branch has.
void find_stragglers(BranchTally& t, const std::vector<const RolloutNode*>& endpoints) {
  bool anyone_reported = false;
  for (const auto* n : endpoints) anyone_reported = anyone_reported || n->report.is_object();
  for (const auto* n : endpoints) {
    bool lagging = anyone_reported && !n->report.is_object() && !n->desired.empty();
    for (const auto& [ref, size] : n->desired) {
      const auto& c = t.layers[ref].counts;
      if (2 * c.done >= c.total && !node_layer(n->report, ref, size).done) lagging = true;
    }
    if (lagging) t.stragglers.push_back(n->id);
  }
  std::sort(t.stragglers.begin(), t.stragglers.end());
  if (t.stragglers.size() > kMaxRolloutStragglers) t.stragglers.resize(kMaxRolloutStragglers);
}

void bound_errors(json& errors) {
  std::vector<json> v(errors.begin(), errors.end());
  std::stable_sort(v.begin(), v.end(), [](const json& a, const json& b) {
    return a["time"].get<int64_t>() != b["time"].get<int64_t>() ? a["time"].get<int64_t>() > b["time"].get<int64_t>()
                                                                : a["node"] < b["node"];
  });
  if (v.size() > kMaxRolloutErrors) v.resize(kMaxRolloutErrors);
  errors = v;
}

std::string window_text(const governor::TimeWindow& w) {
  static const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  std::string days;
  if (w.days == governor::kAllDays) days = "daily";
  for (int d = 0; d < 7 && w.days != governor::kAllDays; ++d)
    if (w.days & (1 << d)) days += (days.empty() ? "" : ",") + std::string(kDays[d]);
  return days + " " + governor::format_hhmm(w.start_min) + "-" + governor::format_hhmm(w.end_min);
}

// The download cap in force now and the window that sets it. A policy that
// does not decode is the default policy for nodes (no cap), so it is here.
void add_cap(json& out, const json& wan_policy, int64_t now) {
  out["cap_bytes_per_s"] = nullptr;
  out["window"] = nullptr;
  if (!wan_policy.is_object() || wan_policy.empty()) return;
  auto p = governor::WanPolicy::decode(wan_policy.dump());
  if (!p.ok()) return;
  governor::EffectiveCaps caps = governor::effective_caps(*p, now, {});
  if (caps.down_cap_bytes_per_s != governor::kNoLimit) out["cap_bytes_per_s"] = caps.down_cap_bytes_per_s;
  if (caps.window_index >= 0) out["window"] = window_text(p->windows[size_t(caps.window_index)]);
}

}  // namespace

std::map<std::string, BranchTally> tally_rollout(const RolloutInputs& in) {
  std::map<std::string, BranchTally> out;
  std::map<std::string, std::vector<const RolloutNode*>> endpoints;
  for (const auto& b : in.branches) tally_for(out, b.name);
  for (const auto& n : in.nodes) {
    add_node(tally_for(out, n.branch), n);
    if (n.role == "endpoint") endpoints[n.branch].push_back(&n);
  }
  for (auto& [name, t] : out) {
    find_stragglers(t, endpoints[name]);
    bound_errors(t.errors);
  }
  return out;
}

StatusSample tally_sample(const BranchTally& t, int64_t now_unix_s) {
  StatusSample s;
  s.time = now_unix_s;
  s.wan_bytes = t.wan_bytes;
  for (const auto& [ref, l] : t.layers) s.layers[ref] = l.counts;
  return s;
}

json rollout_json(const RolloutInputs& in, const std::map<std::string, BranchTally>& tallies,
                  const StatusHistory& history) {
  std::map<std::string, const RolloutBranch*> records;
  for (const auto& b : in.branches) records[b.name] = &b;
  json branches = json::array();
  for (const auto& [name, t] : tallies) {
    const RolloutBranch* rec = records.count(name) ? records[name] : nullptr;
    json b = {{"name", name}};
    add_cap(b, rec ? rec->wan_policy : json(), in.now_unix_s);
    b["reflectors"] = {{"alive", rec ? rec->reflectors_alive : 0}, {"total", rec ? rec->reflectors_total : 0}};
    b["endpoints"] = t.endpoints;
    b["wan"] = {{"bytes", t.wan_bytes}, {"rate_bytes_per_s", history.wan_rate(name)}};
    b["bytes_by_source"] = t.bytes_by_source;
    b["layers"] = json::array();
    for (const auto& [ref, l] : t.layers) {
      const LayerCounts& c = l.counts;
      auto eta = eta_s(c.bytes_total - c.bytes_done, history.layer_rate(name, ref));
      b["layers"].push_back({{"ref", ref}, {"done", c.done}, {"total", c.total}, {"downloading", l.downloading},
                             {"failed", l.failed}, {"bytes_done", c.bytes_done}, {"bytes_total", c.bytes_total},
                             {"eta_s", eta ? json(*eta) : json(nullptr)}});
    }
    b["errors"] = t.errors;
    b["stragglers"] = t.stragglers;
    branches.push_back(std::move(b));
  }
  return {{"time", in.now_unix_s}, {"branches", std::move(branches)}};
}

}  // namespace bc::tracker
