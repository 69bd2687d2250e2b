// Who may be handed the origin: the origin's upload slots are shared fairly
// across branches. A grant lets one requester (a reflector, or an endpoint
// of a branch without a live reflector) be given the origin; each branch
// holds at most `per_branch` grants and the swarm at most `total` at once,
// so one branch with many reflectors cannot take every origin slot — its
// other reflectors get the granted ones instead (same-branch tier).
//
// A grant lasts `ttl_s` after it was last used and is renewed each time its
// holder is handed the origin again; it is released when the holder
// completes or leaves the swarm. The roaming pseudo-branch (empty BranchId)
// is one branch like the others. Pure: time is passed in. Bounded by
// per_branch and total.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "tracker/bt/peer.hpp"

namespace bc::tracker::bt {

struct OriginGrantLimits {
  size_t per_branch = 2;       // grants held at once per branch; default 2
  size_t total = 64;           // grants held at once per swarm; default 64
  int64_t ttl_s = 3600;        // a grant unused this long lapses, seconds; default 3600
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
