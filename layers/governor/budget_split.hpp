// Several reflectors in one branch share one WAN link: instead of letting
// their governors fight (LEDBAT's latecomer problem), the tracker splits the
// branch's cap among the live reflectors by demand and pushes each its share,
// which the reflector's governor applies as one more cap. Pure.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "layers/governor/wan_policy.hpp"

namespace bc::governor {

inline constexpr size_t kMaxReflectorsPerBranch = 256;

struct ReflectorDemand {
  bool live = true;                // dead reflectors get 0
  int64_t demand_bytes_per_s = 0;  // what it moved (or wants to move) over the WAN lately
};

// Returns one share per input, in order. Rules:
//  - dead reflectors get 0; a branch cap of kNoLimit gives every live one kNoLimit;
//  - every live reflector first gets min(min_share, cap / live) so none starves;
//  - the rest is water-filled by demand (max-min fair: small demands are met
//    in full, the big ones split what remains equally);
//  - what is left when every demand is met is spread equally, so each can
//    probe for more next round.
// The shares sum to at most the cap. REQUIRES: demands.size() <= kMaxReflectorsPerBranch
// (more are given 0), cap >= 0, min_share >= 0.
std::vector<int64_t> split_budget(int64_t branch_cap_bytes_per_s, std::span<const ReflectorDemand> demands,
                                  int64_t min_share_bytes_per_s);

}  // namespace bc::governor
