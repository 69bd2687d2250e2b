// Lower bounds for the report: the bytes of content new to a branch, and the
// Kumar–Ross bound on the time to distribute a file to N peers:
//   T_min = max{ F/u_s, F/d_min, N·F/(u_s + Σu_i) }
// (R. Kumar, K. Ross, "Peer-assisted file distribution: the minimum
// distribution time", 2006). For a branch the server is the WAN link (rate
// min(WAN down, datacenter uplink)) and the peers are the branch's reflectors
// and endpoints, each with its LAN rate both ways. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "netsim/scenario/scenario.hpp"

namespace bc::netsim {

struct SwarmCapacity {
  double server_up_bytes_per_s = 0;  // u_s, > 0
  std::vector<double> peer_down_bytes_per_s;  // d_i, each > 0
  std::vector<double> peer_up_bytes_per_s;    // u_i, each >= 0; same size as peer_down
};

// Seconds; 0 when file_bytes == 0. REQUIRES u_s > 0, at least one peer, every
// d_i > 0, the two peer vectors of equal size (otherwise returns -1).
double kumar_ross_lower_bound_s(double file_bytes, const SwarmCapacity& c);

// The branch's swarm as above.
SwarmCapacity branch_capacity(const Scenario& s, const BranchDef& b);

// Bytes assignment `index` brings that the branch did not hold: the layer
// size when the branch held no version of the layer before, change ratio ×
// size when it held the other version (v2 after v1, or v1 after v2); 0 when
// the assignment does not target the branch or repeats an earlier one.
std::uint64_t assignment_new_bytes(const Scenario& s, std::size_t index, const std::string& branch);

// Sum over every assignment of assignment_new_bytes: the content the branch
// must get over the WAN at least once.
std::uint64_t branch_new_content_bytes(const Scenario& s, const std::string& branch);

// True when assignment a targets the branch.
bool assignment_targets(const AssignmentDef& a, const std::string& branch);

}  // namespace bc::netsim
