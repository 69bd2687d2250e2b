// Who may be handed the origin: the origin's upload slots are shared fairly
// across branches, and each branch pulls one copy of a layer across its WAN
// link. A grant lets one requester (a reflector, or an endpoint of a branch
// without a live reflector) be given the origin; each branch holds at most
// `per_branch` grants (default 1) and the swarm at most `total` at once. With
// one grant a branch's holder is its stand-in source: its sibling reflectors,
// or its branch's endpoints, are handed the holder and take the layer from it
// over the LAN, so each piece crosses the WAN once (two grants made two
// endpoints each pull a whole copy: 1.86-1.99x the content at the link).
//
// A grant is a lease: it lasts `ttl_s` after it was last used and is renewed
// each time its holder is handed the origin again (the tracker tells holders
// to re-announce every BtServiceOptions::grant_holder_interval_s, well
// within ttl_s). It is released when the holder leaves the swarm or (a
// reflector) completes; a holder that died, or an endpoint that completed,
// stops renewing, and after ttl_s the next node of its branch to announce
// takes the role. The roaming pseudo-branch (empty
// BranchId) is one branch like the others. Pure: time is passed in. Bounded
// by per_branch and total.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "tracker/bt/peer.hpp"

namespace bc::tracker::bt {

struct OriginGrantLimits {
  size_t per_branch = 1;       // grants held at once per branch; default 1 (one WAN copy)
  size_t total = 64;           // grants held at once per swarm; default 64
  // A grant not renewed this long lapses, seconds; default 75 (two missed
  // 30 s holder announces plus slack: a dead stand-in is replaced in ~1 min).
  int64_t ttl_s = 75;
};

class OriginGrants {
 public:
  explicit OriginGrants(OriginGrantLimits limits) : limits_(limits) {}

  // True when `node` of `branch` holds or can take a grant now; takes or
  // renews it. False (and counted) when the branch or the swarm is full.
  bool acquire(const BranchId& branch, const NodeId& node, int64_t now_s);
  void release(const NodeId& node);
  // Drops grants not renewed within ttl_s.
  void expire(int64_t now_s);

  size_t held(const BranchId& branch) const;
  size_t held_total() const { return by_node_.size(); }
  bool holds(const NodeId& node) const { return by_node_.count(node) != 0; }
  uint64_t refused() const { return refused_; }

 private:
  struct Grant {
    BranchId branch;
    int64_t renewed_s = 0;
  };
  OriginGrantLimits limits_;
  std::map<NodeId, Grant> by_node_;
  std::map<BranchId, size_t> per_branch_;
  uint64_t refused_ = 0;
};

}  // namespace bc::tracker::bt
