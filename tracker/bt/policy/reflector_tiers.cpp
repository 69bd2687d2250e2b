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
  if (!(parent_seeds && o.skip_origin_when_parent_seeds)) {
    Tier origin{TierKind::origin, collect(swarm, BranchId(), r, is_origin)};
    origin.origin_gated = true;
    plan.push_back(std::move(origin));
  }
  if (!r.branch.empty()) {  // same-branch reflectors share the work
    Tier peers{TierKind::branch_reflectors, collect(swarm, r.branch, r, is_reflector)};
    peers.bucket_permille = o.reflector_bucket_permille;
    plan.push_back(std::move(peers));
  }
}

}  // namespace bc::tracker::bt
