// Validation of node status reports and their per-branch aggregation. Pure.
//
// A report (POST /api/v1/status body):
//   {"layers": [{"ref": "base@3", "state": "queued|downloading|verifying|complete|applied|failed",
//                "bytes_done": N, "bytes_total": N}],
//    "bytes_by_source": {"origin": N, "reflector": N, "peer": N},   // cumulative since node start
//    "applied": ["base@3", ...], "last_error": "..." }
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tracker/api/api_limits.hpp"

namespace bc::tracker {

inline constexpr const char* kByteSources[] = {"origin", "reflector", "peer"};

// The canonical stored form of a report, or invalid_argument naming the field.
Result<nlohmann::json> validate_status_report(const nlohmann::json& body, const ApiLimits& limits);

// Per branch: {"nodes": n, "endpoints": n, "reflectors": n, "bytes_by_source": {...},
// "layers": {"base@3": {"applied": n, "complete": n, "failed": n, ...}}, "with_errors": n}.
// `reports` are stored records (with "branch" and "role").
nlohmann::json summarize_branches(const std::vector<nlohmann::json>& reports);

}  // namespace bc::tracker
