// What `Topology::build` creates: a datacenter LAN and branch LANs, each
// behind a router namespace, every branch router joined to the datacenter
// router by one emulated WAN link.
//
// Addressing (all inside our namespaces): branch k (1-based, in spec order)
// uses 10.k.0.0/24 with its router at 10.k.0.1 and node i at 10.k.0.(10+i);
// the datacenter uses 10.0.0.0/24 the same way; WAN link k is the point-to-
// point pair 10.255.k.1 (branch router, device wan0) - 10.255.k.2 (datacenter
// router, device wan<k>).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/util/status.hpp"
#include "netsim/wanem/link_options.hpp"

namespace bc::netsim {

// Whether `s` is 1..max_bytes of [a-z0-9] (and '-' when allow_dash): the
// names of runs, branches, nodes and layers, which end up inside namespace,
// device and file names.
bool is_short_name(const std::string& s, std::size_t max_bytes, bool allow_dash);

inline constexpr std::size_t kMaxBranches = 250;
inline constexpr std::size_t kMaxNodesPerLan = 240;
inline constexpr std::size_t kMaxRunIdBytes = 12;
inline constexpr std::size_t kMaxNodeNameBytes = 32;

struct NodeSpec {
  // [a-z0-9-], 1..32 bytes, unique in the topology, not starting with "rt-".
  std::string name;
  // Rate of the node's LAN port in each direction (HTB), bytes/s; 0 = unshaped.
  std::uint64_t lan_rate_bytes_per_s = 0;
};

struct BranchSpec {
  // [a-z0-9], 1..12 bytes, unique, not "dc".
  std::string name;
  LinkOptions up;    // branch -> datacenter
  LinkOptions down;  // datacenter -> branch
  std::vector<NodeSpec> nodes;
};

struct TopologySpec {
  // [a-z0-9], 1..12 bytes: namespaces are "bcns-<run_id>-<name>".
  std::string run_id;
  std::vector<NodeSpec> datacenter_nodes;
  std::vector<BranchSpec> branches;

  Status validate() const;
};

}  // namespace bc::netsim
