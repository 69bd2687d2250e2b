// How the endpoint sets up its node swarm (node/node_swarm.hpp) from its
// config: TCP first to LAN peers, the LAN download cap, the governor on its
// WAN fallback. Pure.
#pragma once

#include <string>

#include "endpoint/agent/endpoint_config.hpp"
#include "node/node_swarm.hpp"

namespace bc::endpoint {

// REQUIRES: config.validate() is OK. `dir`: the state directory.
node::NodeSwarmOptions endpoint_swarm_options(const EndpointConfig& config, const std::string& dir);

}  // namespace bc::endpoint
