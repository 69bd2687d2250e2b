// Branch-aware peer selection (DESIGN.md §4): the heart of the tracker.
//
// select_peers() plans tiers for the requester (tiers.hpp: endpoint,
// reflector or seed rules), orders each tier (most complete bucket first,
// least handed out in this window next, seeded random last: tier.hpp), and
// takes peers tier by tier until `numwant`:
//   - never the requester, never a peer twice, only peers sharing an
//     address family with the requester;
//   - capped tiers skip peers handed out max_handouts_per_peer times in the
//     current window (if that leaves the answer empty, up to
//     min_peers_when_capped of them are still given, least handed out first);
//   - origin-gated tiers are taken only when the requester holds or can take
//     an origin grant for its branch (origin_grants.hpp).
// Every peer handed out is recorded in the swarm's ledger. Pure: the swarm's
// policy state is the only thing it changes; time and randomness come in.
#pragma once

#include <cstdint>
#include <vector>

#include "tracker/bt/policy/requester.hpp"
#include "tracker/bt/policy/selection_options.hpp"
#include "tracker/bt/policy/tier.hpp"
#include "layers/util/rng.hpp"
#include "tracker/bt/swarm.hpp"

namespace bc::tracker::bt {

struct SelectedPeer {
  const PeerEntry* peer = nullptr;  // valid until the swarm changes
  TierKind tier = TierKind::branch_reflectors;
};

struct Selection {
  std::vector<SelectedPeer> peers;  // in hand-out order, at most numwant
  bool origin_refused = false;      // an origin tier was reached but the branch's grants were full
  uint32_t capped_skipped = 0;      // peers passed over for the hand-out cap
};

Selection select_peers(const Requester& requester, Swarm& swarm, size_t numwant, const PeerSelectionOptions& options,
                       SplitMix64& rng, int64_t now_s);

// Compact endpoints of a selection in the requester's families (v4 first
// for a dual-stack peer, then v6).
std::vector<PeerEndpoint> endpoints_for(const Selection& s, const Requester& requester);

}  // namespace bc::tracker::bt
