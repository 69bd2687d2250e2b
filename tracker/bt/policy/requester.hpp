// The node asking for peers, as the selection policy sees it.
#pragma once

#include <optional>

#include "tracker/bt/peer.hpp"

namespace bc::tracker::bt {

struct Requester {
  NodeId node_id;
  NodeRole role = NodeRole::endpoint;
  BranchId branch;                   // empty: roaming (or the origin)
  BranchId parent_branch;            // the branch's regional hub; empty when none
  bool branch_has_live_reflector = false;  // the tracker has heard from a reflector of `branch` recently
  bool parent_has_live_reflector = false;  // ... and from one of `parent_branch` (set for reflectors)
  std::optional<bool> wan_fallback;  // the branch's setting; nullopt: PeerSelectionOptions::wan_fallback
  bool seed = false;                 // left == 0
  bool has_v4 = true;                // address families the requester can reach
  bool has_v6 = false;

  // The requester as announced: families and completeness from its entry.
  static Requester from_entry(const PeerEntry& e, BranchId parent_branch, bool branch_has_live_reflector) {
    Requester r;
    r.node_id = e.node_id;
    r.role = e.role;
    r.branch = e.branch;
    r.parent_branch = std::move(parent_branch);
    r.branch_has_live_reflector = branch_has_live_reflector;
    r.seed = e.seed();
    r.has_v4 = e.v4.has_value();
    r.has_v6 = e.v6.has_value();
    return r;
  }
};

}  // namespace bc::tracker::bt
