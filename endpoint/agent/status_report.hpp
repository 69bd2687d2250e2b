// The endpoint's messages with the tracker (docs/api.md), pure: the desired
// stack read from GET /api/v1/desired, and the JSON body of POST
// /api/v1/status ("Status") built from the agent's view.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "endpoint/agent/agent_core.hpp"
#include "layers/swarm/ip_subnet.hpp"

namespace bc::endpoint {

// The desired state's stack refs, base first. corruption when it has no
// "stack" array or an entry has no string "ref".
Result<std::vector<std::string>> desired_stack(const nlohmann::json& state);

nlohmann::json build_status_report(const std::vector<std::string>& desired,
                                   const std::map<std::string, LocalLayer>& local,
                                   const std::vector<std::string>& applied,
                                   const BytesBySource& bytes, const std::string& last_error);

}  // namespace bc::endpoint
