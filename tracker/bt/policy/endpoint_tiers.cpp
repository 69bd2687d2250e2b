#include <algorithm>

#include "tracker/bt/policy/tiers.hpp"

namespace bc::tracker::bt {

std::vector<const PeerEntry*> collect(const Swarm& swarm, const BranchId& branch, const Requester& r,
                                      const std::function<bool(const PeerEntry&)>& keep) {
  std::vector<const PeerEntry*> out;
  for (const PeerEntry* p : swarm.branch(branch))
    if (p->node_id != r.node_id && keep(*p)) out.push_back(p);
  return out;
}

bool is_reflector(const PeerEntry& p) { return p.role == NodeRole::reflector; }
bool is_origin(const PeerEntry& p) { return p.role == NodeRole::origin; }

namespace {

// Every origin in the swarm. The origin announces in no branch.
std::vector<const PeerEntry*> origins(const Swarm& swarm, const Requester& r) {
  return collect(swarm, BranchId(), r, is_origin);
}

void add_wan_fallback(const Requester& r, const Swarm& swarm, const PeerSelectionOptions& o,
                      std::vector<Tier>& plan) {
  if (o.fallback_to_parent && !r.parent_branch.empty())
    plan.push_back({TierKind::fallback_parent, collect(swarm, r.parent_branch, r, is_reflector)});
  if (o.fallback_to_origin) {
    Tier t{TierKind::fallback_origin, origins(swarm, r)};
    t.origin_gated = true;
    plan.push_back(std::move(t));
  }
  if (o.fallback_to_foreign_reflectors) {
    Tier t{TierKind::fallback_foreign, {}};
    swarm.for_each_branch([&](const BranchId& b, std::span<const PeerEntry* const> peers) {
      if (b.empty() || b == r.branch || b == r.parent_branch) return;
      for (const PeerEntry* p : peers)
        if (is_reflector(*p) && p->node_id != r.node_id) t.peers.push_back(p);
    });
    // for_each_branch iterates a hash map: sort so a seed reproduces the plan.
    std::sort(t.peers.begin(), t.peers.end(),
              [](const PeerEntry* a, const PeerEntry* b) { return a->node_id < b->node_id; });
    plan.push_back(std::move(t));
  }
}

}  // namespace

void plan_endpoint_tiers(const Requester& r, const Swarm& swarm, const PeerSelectionOptions& o,
                         std::vector<Tier>& plan) {
  if (r.branch.empty()) {  // roaming: no LAN to share; the origin if policy allows
    if (o.roaming_to_origin) {
      Tier t{TierKind::roaming_origin, origins(swarm, r)};
      t.origin_gated = true;
      plan.push_back(std::move(t));
    }
    return;
  }
  Tier reflectors{TierKind::branch_reflectors, collect(swarm, r.branch, r, is_reflector)};
  reflectors.bucket_permille = o.reflector_bucket_permille;
  plan.push_back(std::move(reflectors));

  // The branch's stand-in source (the endpoint holding its origin grant) is
  // handed out even while empty, as a reflector is: it announced empty and
  // re-announces only every grant_holder_interval_s, and its siblings must
  // find it before it has pieces or they would wait for a second copy.
  const OriginGrants& grants = swarm.origin_grants();
  Tier holders{TierKind::branch_holders, collect(swarm, r.branch, r, [&](const PeerEntry& p) {
                 return p.role == NodeRole::endpoint && (p.has_pieces || grants.holds(p.node_id));
               })};
  holders.capped = true;
  plan.push_back(std::move(holders));

  // No "a branch endpoint seeds, so no origin" rule here: any enrolled
  // endpoint can claim to be complete, and one that lies (or that the
  // requester banned) would cut its branch off. A stand-in that completes
  // keeps its grant until the lease lapses instead (select_peers.cpp).
  if (!r.branch_has_live_reflector && r.wan_fallback.value_or(o.wan_fallback)) add_wan_fallback(r, swarm, o, plan);
}

}  // namespace bc::tracker::bt
