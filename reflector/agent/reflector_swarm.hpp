// How the reflector sets up its node swarm (node/node_swarm.hpp) from its
// config: limits on both peer classes, uTP as configured, the governor with
// the config's caps. Pure.
#pragma once

#include <string>

#include "node/node_swarm.hpp"
#include "reflector/agent/reflector_config.hpp"

namespace bc::reflector {

// REQUIRES: config.validate() is OK. `announce_key` from the desired state.
node::NodeSwarmOptions reflector_swarm_options(const ReflectorConfig& config, const std::string& announce_key);

}  // namespace bc::reflector
