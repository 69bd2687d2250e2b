// The simulate report: emulate's shape where it carries over (per-branch WAN
// bytes over new content, completion p50/p95/p100 against the Kumar–Ross
// bound) plus the rollout plan (one row per branch) and the origin's upload
// over time. Pure: the caller writes the files.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "netsim/scenario/scenario.hpp"
#include "netsim/sim/simulator.hpp"

namespace bc::netsim::sim {

// Adds to r.violations the report-level invariants (a branch with a reflector
// moved at least its new content over its WAN link).
nlohmann::json sim_report_json(const Scenario& s, SimResult& r);
// Fleet summary and, per branch, the rollout plan; at most max_rows branch rows.
std::string sim_report_table(const nlohmann::json& report, std::size_t max_rows);
// "t_s,origin_bytes_per_s" rows.
std::string origin_upload_csv(const SimResult& r, std::int64_t bucket_ms);

}  // namespace bc::netsim::sim
