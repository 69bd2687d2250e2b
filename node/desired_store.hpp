// The last desired state a node received from its tracker, kept on disk so a
// node restarted while the tracker is down carries on from it (finishes
// layers from known peers, keeps seeding, applies what is complete) instead
// of doing nothing. The state itself is not signed: every layer it names is
// still verified against the pinned tracker key (layer_fetch.hpp) before use.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "layers/util/status.hpp"

namespace bc::node {

inline constexpr size_t kMaxDesiredStateBytes = 4u << 20;

// Writes the state atomically (temp + rename + fsync). Errors: io_error.
Status save_desired_state(const std::string& path, const nlohmann::json& state);
// not_found when none was saved; corruption when the file is not a JSON
// object (or larger than kMaxDesiredStateBytes).
Result<nlohmann::json> load_desired_state(const std::string& path);

}  // namespace bc::node
