// Text views of GET /api/v1/status/rollout (docs/api.md, "Status"): the
// full per-branch view (progress bars, bytes by source, WAN rate against its
// cap, ETA, errors, stragglers) and the one-line-per-layer form `--watch`
// appends when stdout is not a terminal. Pure: JSON in, text out.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace bc::ctl {

// `branch` non-empty: only that branch.
std::string render_rollout(const nlohmann::json& status, const std::string& branch);
std::string render_rollout_lines(const nlohmann::json& status, const std::string& branch);

}  // namespace bc::ctl
