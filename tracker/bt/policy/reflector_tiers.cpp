#include <algorithm>

#include "tracker/bt/policy/tiers.hpp"

namespace bc::tracker::bt {

void plan_reflector_tiers(const Requester& r, const Swarm& swarm, const PeerSelectionOptions& o,
                          std::vector<Tier>& plan) {
  bool parent_seeds = false;
  if (!r.parent_branch.empty()) {
    Tier parent{TierKind::parent_reflectors, collect(swarm, r.parent_branch, r, is_reflector)};
    parent.bucket_permille = o.reflector_bucket_permille;
    parent_seeds = std::any_of(parent.peers.begin(), parent.peers.end(), [](const PeerEntry* p) { return p->seed(); });
    plan.push_back(std::move(parent));
  }
  // Same-branch reflectors share the work: one holds the branch's origin
  // grant and the others take the layer from it over the LAN. Once one of
  // them is complete, the origin would only carry a second copy.
  Tier siblings{TierKind::branch_reflectors, {}};
  if (!r.branch.empty()) siblings.peers = collect(swarm, r.branch, r, is_reflector);
  siblings.bucket_permille = o.reflector_bucket_permille;
  bool sibling_seeds =
      std::any_of(siblings.peers.begin(), siblings.peers.end(), [](const PeerEntry* p) { return p->seed(); });
  if (!(parent_seeds && o.skip_origin_when_parent_seeds) && !(sibling_seeds && o.skip_origin_when_branch_seeds)) {
    Tier origin{TierKind::origin, collect(swarm, BranchId(), r, is_origin)};
    origin.origin_gated = true;
    plan.push_back(std::move(origin));
  }
  if (!siblings.peers.empty()) plan.push_back(std::move(siblings));
}

}  // namespace bc::tracker::bt
