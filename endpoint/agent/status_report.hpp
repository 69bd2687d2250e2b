// Builds the JSON body of POST /api/v1/status (docs/api.md, "Status") from the
// agent's view. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "endpoint/agent/agent_core.hpp"
#include "layers/swarm/ip_subnet.hpp"

namespace bc::endpoint {

nlohmann::json build_status_report(const std::vector<std::string>& desired,
                                   const std::map<std::string, LocalLayer>& local,
                                   const std::vector<std::string>& applied,
                                   const BytesBySource& bytes, const std::string& last_error);

}  // namespace bc::endpoint
