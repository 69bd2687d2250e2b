// What a node learns about its branch's network from the desired-state answer
// (docs/api.md, "Desired state"): the LAN subnets, the live reflectors'
// addresses and the BEP 19 web seeds. The endpoint and reflector drivers hand
// these to SwarmNode::set_lan and SwarmNode::set_web_seeds.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::tracker {

inline constexpr size_t kMaxBranchNetEntries = 256;  // per list

struct BranchNet {
  std::vector<std::string> subnets;        // CIDRs
  std::vector<std::string> reflector_ips;  // IP addresses
  std::vector<std::string> web_seeds;      // base URLs (older trackers; applied to every layer)
  // Per layer (by info-hash): URLs carrying this node's signed, expiring
  // token ("layer_web_seeds"), used as given and replaced on each poll.
  std::map<std::string, std::vector<std::string>> layer_web_seeds;
  bool operator==(const BranchNet&) const = default;
};

// Reads "lan": {"subnets": [..], "reflectors": [..]}, "web_seeds": [..] and
// "layer_web_seeds": {"<info_hash>": [..]}; each absent part is empty. Errors: corruption naming the field when a part
// has the wrong type or more than kMaxBranchNetEntries entries. The strings
// themselves are checked by whoever uses them (SwarmNode validates).
Result<BranchNet> branch_net_from_desired(const nlohmann::json& desired);

}  // namespace bc::tracker
