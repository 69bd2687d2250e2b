#include "tracker/bt/policy/tier.hpp"

#include <algorithm>
#include <tuple>

namespace bc::tracker::bt {

const char* to_string(TierKind k) {
  switch (k) {
    case TierKind::branch_reflectors: return "branch_reflectors";
    case TierKind::branch_holders: return "branch_holders";
    case TierKind::branch_leechers: return "branch_leechers";
    case TierKind::parent_reflectors: return "parent_reflectors";
    case TierKind::origin: return "origin";
    case TierKind::fallback_parent: return "fallback_parent";
    case TierKind::fallback_origin: return "fallback_origin";
    case TierKind::fallback_foreign: return "fallback_foreign";
    case TierKind::roaming_origin: return "roaming_origin";
  }
  return "?";
}

bool crosses_wan(TierKind k) {
  switch (k) {
    case TierKind::branch_reflectors:
    case TierKind::branch_holders:
    case TierKind::branch_leechers: return false;
    default: return true;
  }
}

void order_tier(Tier& tier, const HandoutLedger& ledger, SplitMix64& rng) {
  struct Key {
    uint32_t bucket;
    uint32_t handouts;
    uint64_t draw;
    const PeerEntry* peer;
  };
  std::vector<Key> keys;
  keys.reserve(tier.peers.size());
  for (const PeerEntry* p : tier.peers)
    keys.push_back({tier.bucket_permille ? p->completeness_permille / tier.bucket_permille : 0u, ledger.count(*p), rng.next(), p});
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return std::tie(b.bucket, a.handouts, a.draw) < std::tie(a.bucket, b.handouts, b.draw);
  });
  for (size_t i = 0; i < keys.size(); ++i) tier.peers[i] = keys[i].peer;
}

}  // namespace bc::tracker::bt
