// The tier plans, one function per requester kind (one file each). A plan
// lists tiers in hand-out order; select_peers() walks them. Plans never
// list a peer across a WAN link except in tiers for which crosses_wan() is
// true, and those only under the rules of each file.
#pragma once

#include <functional>
#include <vector>

#include "tracker/bt/policy/requester.hpp"
#include "tracker/bt/policy/selection_options.hpp"
#include "tracker/bt/policy/tier.hpp"
#include "tracker/bt/swarm.hpp"

namespace bc::tracker::bt {

// Peers of `branch` for which keep(peer) holds, never the requester.
std::vector<const PeerEntry*> collect(const Swarm& swarm, const BranchId& branch, const Requester& r,
                                      const std::function<bool(const PeerEntry&)>& keep);
bool is_reflector(const PeerEntry& p);
bool is_origin(const PeerEntry& p);

// An incomplete endpoint (endpoint_tiers.cpp): its branch's reflectors, then
// its branch's endpoints that hold pieces or the branch's origin grant (the
// stand-in source); WAN fallback tiers only when the branch has no live
// reflector and options allow; a roaming endpoint gets the origin only.
void plan_endpoint_tiers(const Requester& r, const Swarm& swarm, const PeerSelectionOptions& o,
                         std::vector<Tier>& plan);
// An incomplete reflector (reflector_tiers.cpp): its parent branch's
// reflectors and/or the origin (upstream; not while a hub or sibling
// reflector seeds), then its branch's other reflectors.
void plan_reflector_tiers(const Requester& r, const Swarm& swarm, const PeerSelectionOptions& o,
                          std::vector<Tier>& plan);
// A complete node (seed_tiers.cpp): its branch's incomplete peers, so it can
// upload to them; nothing in no branch. The origin is given nobody: peers
// that were granted it connect to it.
void plan_seed_tiers(const Requester& r, const Swarm& swarm, const PeerSelectionOptions& o,
                     std::vector<Tier>& plan);

}  // namespace bc::tracker::bt
