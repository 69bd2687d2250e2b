// A tier: peers of one kind that the policy hands out before the next tier
// (peerhandoutpolicy-style: each rule is a small function building a tier).
#pragma once

#include <cstdint>
#include <vector>

#include "tracker/bt/handout_ledger.hpp"
#include "tracker/bt/peer.hpp"
#include "layers/util/rng.hpp"

namespace bc::tracker::bt {

enum class TierKind {
  branch_reflectors,      // reflectors of the requester's branch (LAN)
  branch_holders,         // endpoints of the requester's branch holding pieces (LAN)
  branch_leechers,        // incomplete peers of the requester's branch, for a seed (LAN)
  parent_reflectors,      // reflectors of the parent branch (WAN: upstream)
  origin,                 // the origin seed (WAN: upstream), within origin grants
  fallback_parent,        // WAN fallback: parent branch reflectors for an endpoint
  fallback_origin,        // WAN fallback: the origin for an endpoint, within grants
  fallback_foreign,       // WAN fallback: other branches' reflectors
  roaming_origin,         // a node in no branch: the origin, within grants
};
const char* to_string(TierKind k);
// True for tiers whose peers sit across a WAN link from the requester.
bool crosses_wan(TierKind k);

struct Tier {
  TierKind kind = TierKind::branch_reflectors;
  std::vector<const PeerEntry*> peers;
  uint32_t bucket_permille = 0;  // completeness bucket width; 0 = completeness does not order the tier
  bool capped = false;              // the per-peer hand-out cap applies
  bool origin_gated = false;        // handing it out needs an origin grant
};

// Orders a tier: higher completeness bucket first (when bucket_permille > 0), then fewer hand-outs in
// the current window, then a seeded random draw (so ties rotate).
void order_tier(Tier& tier, const HandoutLedger& ledger, SplitMix64& rng);

}  // namespace bc::tracker::bt
