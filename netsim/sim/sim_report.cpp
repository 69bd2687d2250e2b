#include "netsim/sim/sim_report.hpp"

#include <algorithm>
#include <cstdio>

#include "netsim/report/kumar_ross.hpp"

namespace bc::netsim::sim {

namespace {

using nlohmann::json;

// Percentile q of the completed times (seconds); -1 when any is missing and q
// reaches it.
double pct_s(std::vector<std::int64_t> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end(), [](auto a, auto b) { return (a < 0 ? INT64_MAX : a) < (b < 0 ? INT64_MAX : b); });
  std::size_t k = std::min(v.size() - 1, std::size_t(q * double(v.size() - 1) + 0.5));
  return v[k] < 0 ? -1 : double(v[k]) / 1000;
}

json times(const std::vector<std::int64_t>& v) {
  return {{"p50_s", pct_s(v, 0.5)}, {"p95_s", pct_s(v, 0.95)}, {"p100_s", pct_s(v, 1.0)}};
}

json branch_json(const Scenario& s, const BranchOutcome& b, const BranchDef& def, SimResult& r) {
  const std::uint64_t fresh = branch_new_content_bytes(s, b.name);
  json j = {{"name", b.name}, {"reflectors", b.reflectors}, {"endpoints", b.endpoints},
            {"wan_down_mbit", double(def.wan.down_bytes_per_s) / 125'000}, {"rtt_ms", def.wan.rtt_ms},
            {"wan_down_bytes", b.wan_down_bytes}, {"new_content_bytes", fresh},
            {"wan_over_new", fresh ? double(b.wan_down_bytes) / double(fresh) : 0.0},
            {"queue_delay_p95_ms", b.queue_delay_p95_ms}};
  if (b.reflectors > 0 && b.wan_down_bytes + 1 < fresh && r.all_complete)
    r.violations.push_back(b.name + ": WAN bytes " + std::to_string(b.wan_down_bytes) + " below its new content " +
                           std::to_string(fresh));
  const SwarmCapacity cap = branch_capacity(s, def);
  json as = json::array();
  for (std::size_t a = 0; a < s.assignments.size(); ++a) {
    if (!b.targeted[a] || b.endpoints == 0) continue;
    json t = times(b.completion_ms[a]);
    const double bound = kumar_ross_lower_bound_s(double(assignment_new_bytes(s, a, b.name)), cap);
    t["assignment"] = a;
    t["bound_s"] = bound;
    t["p95_over_bound"] = bound > 0 && t["p95_s"].get<double>() >= 0 ? t["p95_s"].get<double>() / bound : 0.0;
    as.push_back(t);
  }
  j["assignments"] = as;
  return j;
}

}  // namespace

json sim_report_json(const Scenario& s, SimResult& r) {
  json branches = json::array();
  std::uint64_t wan = 0, fresh = 0;
  for (std::size_t i = 0; i < r.branches.size(); ++i) {
    branches.push_back(branch_json(s, r.branches[i], s.branches[i], r));
    wan += r.branches[i].wan_down_bytes;
    fresh += branches.back()["new_content_bytes"].get<std::uint64_t>();
  }
  json fleet = json::array();
  for (std::size_t a = 0; a < s.assignments.size(); ++a) {
    std::vector<std::int64_t> all;
    for (const BranchOutcome& b : r.branches)
      if (b.targeted[a]) all.insert(all.end(), b.completion_ms[a].begin(), b.completion_ms[a].end());
    json t = times(all);
    t["assignment"] = a;
    t["layer"] = s.assignments[a].layer;
    t["version"] = s.assignments[a].version;
    t["at_s"] = double(s.assignments[a].at_ms) / 1000;
    fleet.push_back(t);
  }
  std::size_t endpoints = 0;
  for (const BranchOutcome& b : r.branches) endpoints += b.endpoints;
  return {{"scenario", s.name}, {"seed", r.seed}, {"end_s", double(r.end_ms) / 1000}, {"all_complete", r.all_complete},
          {"branches_count", r.branches.size()}, {"endpoints_count", endpoints},
          {"origin_upload_bytes", r.origin_upload_bytes}, {"wan_bytes", wan}, {"new_content_bytes", fresh},
          {"wan_over_new", fresh ? double(wan) / double(fresh) : 0.0},
          {"origin_grants_refused", r.origin_grants_refused}, {"announces", r.announces},
          {"chunks_moved", r.chunks_moved}, {"max_wan_ratio", r.link_use.max_wan_ratio},
          {"max_uplink_ratio", r.link_use.max_uplink_ratio}, {"fleet", fleet}, {"branches", branches},
          {"violations", r.violations}};
}

std::string sim_report_table(const json& j, std::size_t max_rows) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "scenario %s seed %llu: %zu branches, %zu endpoints, end %.1f s, %s\n",
                j["scenario"].get<std::string>().c_str(), (unsigned long long)j["seed"].get<std::uint64_t>(),
                j["branches_count"].get<std::size_t>(), j["endpoints_count"].get<std::size_t>(), j["end_s"].get<double>(),
                j["all_complete"].get<bool>() ? "all complete" : "NOT all complete");
  out += line;
  std::snprintf(line, sizeof line, "origin upload %.1f MiB, WAN %.1f MiB = %.3fx new content, grants refused %llu\n\n",
                double(j["origin_upload_bytes"].get<std::uint64_t>()) / 1048576, double(j["wan_bytes"].get<std::uint64_t>()) / 1048576,
                j["wan_over_new"].get<double>(), (unsigned long long)j["origin_grants_refused"].get<std::uint64_t>());
  out += line;
  out += "fleet completion (s after the assignment)\n  #  layer@v        p50      p95     p100\n";
  for (const json& a : j["fleet"]) {
    std::snprintf(line, sizeof line, "%3zu  %-10s %8.1f %8.1f %8.1f\n", a["assignment"].get<std::size_t>(),
                  (a["layer"].get<std::string>() + "@" + std::to_string(a["version"].get<int>())).c_str(),
                  a["p50_s"].get<double>(), a["p95_s"].get<double>(), a["p100_s"].get<double>());
    out += line;
  }
  out += "\nrollout plan per branch (p95 / Kumar-Ross bound per assignment)\n"
         "branch      refl  endp  Mbit   rtt  WAN MiB  WAN/new  qd95ms  p95/bound...\n";
  std::size_t rows = 0;
  for (const json& b : j["branches"]) {
    if (rows++ == max_rows) {
      out += "... (" + std::to_string(j["branches"].size() - max_rows) + " more in report.txt)\n";
      break;
    }
    std::snprintf(line, sizeof line, "%-10s %5zu %5zu %5.0f %5.0f %8.1f %8.3f %7.1f ", b["name"].get<std::string>().c_str(),
                  b["reflectors"].get<std::size_t>(), b["endpoints"].get<std::size_t>(), b["wan_down_mbit"].get<double>(),
                  b["rtt_ms"].get<double>(), double(b["wan_down_bytes"].get<std::uint64_t>()) / 1048576,
                  b["wan_over_new"].get<double>(), b["queue_delay_p95_ms"].get<double>());
    out += line;
    for (const json& a : b["assignments"]) {
      std::snprintf(line, sizeof line, " %.2f", a["p95_over_bound"].get<double>());
      out += line;
    }
    out += "\n";
  }
  return out;
}

std::string origin_upload_csv(const SimResult& r, std::int64_t bucket_ms) {
  std::string out = "t_s,origin_bytes_per_s\n";
  char line[64];
  for (std::size_t i = 0; i < r.origin_bytes_per_s.size(); ++i) {
    std::snprintf(line, sizeof line, "%.3f,%.0f\n", double(std::int64_t(i) * bucket_ms) / 1000, r.origin_bytes_per_s[i]);
    out += line;
  }
  return out;
}

}  // namespace bc::netsim::sim
