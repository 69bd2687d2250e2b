// A reflector's share of its branch's WAN caps (DESIGN §6): several
// reflectors in one branch split one budget instead of fighting for the link.
// Pure: the caller reads the branch's policy and live reflectors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bc::tracker {

// The share every live reflector is given at least, before the split by
// demand (bounded by cap / live reflectors); 16 KiB/s = the policy's default floor.
inline constexpr int64_t kMinReflectorShareBytesPerS = 16384;

struct LiveReflector {
  std::string id;
  int64_t demand_bytes_per_s = 0;  // WAN download rate it reported with its last heartbeat
};

// The fraction (0, 1] of the branch's download cap that reflector `self_id`
// may use: split_budget over `live` (sorted by id; `self_id` counts as live
// even when missing) of the cap in force at `unix_s` under `wan_policy` (the
// branch record's object; missing or invalid = the default policy, no cap).
// An uncapped branch gives each of n live reflectors 1/n (nothing to split,
// the governors' delay control shares the link).
double reflector_wan_share(const nlohmann::json& wan_policy, int64_t unix_s, std::vector<LiveReflector> live,
                           const std::string& self_id);

// The fraction (0, 1] of the branch's caps an endpoint may use while its
// branch has no live reflector, so its WAN traffic is a fallback to the
// origin: the cap split evenly over the branch's `branch_endpoints` enrolled
// endpoints (they report no WAN demand, and every one of them may fall back
// at once). 0 endpoints counts as 1.
double endpoint_wan_share(std::size_t branch_endpoints);

}  // namespace bc::tracker
