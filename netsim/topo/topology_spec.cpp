#include "netsim/topo/topology_spec.hpp"

#include <set>

namespace bc::netsim {

namespace {

Status check_nodes(const std::vector<NodeSpec>& nodes, const std::string& lan, std::set<std::string>& seen) {
  if (nodes.size() > kMaxNodesPerLan) {
    return Status::invalid_argument("LAN " + lan + " has " + std::to_string(nodes.size()) + " nodes; at most " +
                                    std::to_string(kMaxNodesPerLan));
  }
  for (const NodeSpec& n : nodes) {
    if (!is_short_name(n.name, kMaxNodeNameBytes, true) || n.name.rfind("rt-", 0) == 0) {
      return Status::invalid_argument("node name '" + n.name + "' in " + lan +
                                      " must be 1..32 of [a-z0-9-] and not start with 'rt-'");
    }
    if (!seen.insert(n.name).second) return Status::invalid_argument("node name '" + n.name + "' is not unique");
    if (n.lan_rate_bytes_per_s != 0 && n.lan_rate_bytes_per_s < 1000) {
      return Status::invalid_argument("node " + n.name + ": LAN rate below 1000 B/s");
    }
  }
  return Status();
}

}  // namespace

Status TopologySpec::validate() const {
  if (!is_short_name(run_id, kMaxRunIdBytes, false)) {
    return Status::invalid_argument("run id '" + run_id + "' must be 1..12 of [a-z0-9]");
  }
  if (branches.size() > kMaxBranches) {
    return Status::invalid_argument(std::to_string(branches.size()) + " branches; at most " +
                                    std::to_string(kMaxBranches));
  }
  std::set<std::string> nodes_seen, branches_seen;
  BC_RETURN_IF_ERROR(check_nodes(datacenter_nodes, "datacenter", nodes_seen));
  for (const BranchSpec& b : branches) {
    if (!is_short_name(b.name, 12, false) || b.name == "dc") {
      return Status::invalid_argument("branch name '" + b.name + "' must be 1..12 of [a-z0-9] and not 'dc'");
    }
    if (!branches_seen.insert(b.name).second) return Status::invalid_argument("branch '" + b.name + "' twice");
    BC_RETURN_IF_ERROR(b.up.validate().with_context("branch " + b.name + " uplink"));
    BC_RETURN_IF_ERROR(b.down.validate().with_context("branch " + b.name + " downlink"));
    BC_RETURN_IF_ERROR(check_nodes(b.nodes, "branch " + b.name, nodes_seen));
  }
  return Status();
}

bool is_short_name(const std::string& s, std::size_t max_bytes, bool allow_dash) {
  if (s.empty() || s.size() > max_bytes) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (allow_dash && c == '-');
    if (!ok) return false;
  }
  return true;
}

}  // namespace bc::netsim
