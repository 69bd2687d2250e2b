#include "tracker/bt/policy/tiers.hpp"

namespace bc::tracker::bt {

void plan_seed_tiers(const Requester& r, const Swarm& swarm, const PeerSelectionOptions& o,
                     std::vector<Tier>& plan) {
  if (r.branch.empty() || r.role == NodeRole::origin) return;  // no LAN to serve
  Tier leechers{TierKind::branch_leechers, collect(swarm, r.branch, r, [](const PeerEntry& p) {
                  return !p.seed() && p.role != NodeRole::origin;
                })};
  leechers.capped = true;
  plan.push_back(std::move(leechers));
}

}  // namespace bc::tracker::bt
