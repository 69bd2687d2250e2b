// Maps a Scenario to the topology builder's TopologySpec (netsim/topo/).
// Pure: no root needed. Nodes:
//   datacenter: "tracker" (LAN rate = datacenter uplink) and, when any branch
//               has cross traffic, "xt-dc" (the far end of every cross flow);
//   branch b:   "<b>-r<i>" reflectors, "<b>-e<i>" endpoints, and "<b>-xt"
//               when the branch has cross traffic.
// WAN link of branch k: delay = rtt/2 each way, queue = queue_bytes or
// queue_ms at the direction's rate (at least one MTU), loss both ways, loss
// seeds derived from the scenario seed (seed + 2k, seed + 2k + 1).
#pragma once

#include <string>

#include "layers/util/status.hpp"
#include "netsim/scenario/scenario.hpp"
#include "netsim/topo/topology_spec.hpp"

namespace bc::netsim {

inline constexpr const char* kTrackerNode = "tracker";
inline constexpr const char* kCrossTrafficDcNode = "xt-dc";

// REQUIRES: the scenario validated. Returns the spec after spec.validate().
Result<TopologySpec> scenario_to_topology(const Scenario& s, const std::string& run_id);

// The cross-traffic node of a branch ("<b>-xt").
std::string cross_traffic_node(const BranchDef& b);

}  // namespace bc::netsim
