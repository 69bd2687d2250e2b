#include "tracker/bt/policy/select_peers.hpp"

#include <algorithm>
#include <unordered_set>

#include "tracker/bt/policy/tiers.hpp"

namespace bc::tracker::bt {
namespace {

bool reachable(const PeerEntry& p, const Requester& r) {
  return (r.has_v4 && p.v4) || (r.has_v6 && p.v6);
}

std::vector<Tier> plan_for(const Requester& r, const Swarm& swarm, const PeerSelectionOptions& o) {
  std::vector<Tier> plan;
  if (r.role == NodeRole::origin) return plan;  // the origin is connected to, never told whom to dial
  if (r.seed)
    plan_seed_tiers(r, swarm, o, plan);
  else if (r.role == NodeRole::reflector)
    plan_reflector_tiers(r, swarm, o, plan);
  else
    plan_endpoint_tiers(r, swarm, o, plan);
  return plan;
}

// The branch's one grant belongs to its reflectors while one is live, and to
// its endpoints otherwise: a requester of the side that may use it frees one
// held by the other side (a dead reflector's, or an endpoint's from before
// the reflector came), rather than wait out the grant's lease.
void reclaim_branch_grant(const Requester& r, Swarm& swarm) {
  if (r.branch.empty()) return;
  NodeRole other;
  if (r.role == NodeRole::reflector) other = NodeRole::endpoint;
  else if (!r.branch_has_live_reflector) other = NodeRole::reflector;
  else return;
  OriginGrants& grants = swarm.origin_grants();
  if (grants.held(r.branch) == 0) return;
  for (const PeerEntry* p : swarm.branch(r.branch))
    if (p->role == other && grants.holds(p->node_id)) grants.release(p->node_id);
}

// Takes an origin grant for the requester if the tier has anyone to give.
bool grant_allows(const Tier& t, const Requester& r, Swarm& swarm, int64_t now_s, Selection& out) {
  if (!t.origin_gated) return true;
  bool any = std::any_of(t.peers.begin(), t.peers.end(), [&](const PeerEntry* p) { return reachable(*p, r); });
  if (!any) return false;
  reclaim_branch_grant(r, swarm);
  if (swarm.origin_grants().acquire(r.branch, r.node_id, now_s)) return true;
  out.origin_refused = true;
  return false;
}

}  // namespace

Selection select_peers(const Requester& r, Swarm& swarm, size_t numwant, const PeerSelectionOptions& o, SplitMix64& rng,
                       int64_t now_s) {
  Selection out;
  HandoutLedger& ledger = swarm.ledger();
  ledger.roll(now_s);
  // A complete reflector no longer needs the origin: free its grant (its
  // siblings then take its copy: skip_origin_when_branch_seeds). A complete
  // stand-in endpoint keeps its grant until the lease lapses (it no longer
  // renews it), so its siblings finish from it rather than take a second
  // copy the moment it completes. Lapsed leases go before the plan, which
  // hands out grant holders as sources.
  if (r.seed && r.role != NodeRole::endpoint) swarm.origin_grants().release(r.node_id);
  swarm.origin_grants().expire(now_s);
  std::vector<Tier> plan = plan_for(r, swarm, o);
  std::unordered_set<const PeerEntry*> taken;
  std::vector<SelectedPeer> capped;  // candidates the cap passed over, in tier order
  for (Tier& tier : plan) {
    if (out.peers.size() >= numwant) break;
    if (tier.peers.empty() || !grant_allows(tier, r, swarm, now_s, out)) continue;
    order_tier(tier, ledger, rng);
    for (const PeerEntry* p : tier.peers) {
      if (out.peers.size() >= numwant) break;
      if (!reachable(*p, r) || taken.count(p)) continue;
      if (tier.capped && o.max_handouts_per_peer && ledger.count(*p) >= o.max_handouts_per_peer) {
        ++out.capped_skipped;
        capped.push_back({p, tier.kind});
        continue;
      }
      taken.insert(p);
      out.peers.push_back({p, tier.kind});
    }
  }
  if (out.peers.empty() && !capped.empty()) {
    std::stable_sort(capped.begin(), capped.end(), [&](const SelectedPeer& a, const SelectedPeer& b) {
      return ledger.count(*a.peer) < ledger.count(*b.peer);
    });
    size_t n = std::min<size_t>({capped.size(), o.min_peers_when_capped, numwant});
    for (size_t i = 0; i < n; ++i)
      if (taken.insert(capped[i].peer).second) out.peers.push_back(capped[i]);
  }
  for (const SelectedPeer& s : out.peers) ledger.record(*s.peer);
  return out;
}

std::vector<PeerEndpoint> endpoints_for(const Selection& s, const Requester& r) {
  std::vector<PeerEndpoint> out;
  for (const SelectedPeer& sp : s.peers) {
    if (r.has_v4 && sp.peer->v4) out.push_back(*sp.peer->v4);
    if (r.has_v6 && sp.peer->v6) out.push_back(*sp.peer->v6);
  }
  return out;
}

}  // namespace bc::tracker::bt
