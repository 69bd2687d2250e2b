// The knobs of branch-aware peer selection (DESIGN.md §4). Defaults are what
// the tracker runs with; the simulator varies them.
#pragma once

#include <cstdint>

#include "layers/util/status.hpp"

namespace bc::tracker::bt {

struct PeerSelectionOptions {
  // WAN fallback: an endpoint whose branch has no live reflector may be
  // given peers across the WAN link. Default true (else such a branch could
  // never get new content).
  bool wan_fallback = true;
  bool fallback_to_parent = true;               // ... its parent branch's reflectors; default true
  bool fallback_to_origin = true;               // ... the origin, within origin grants; default true
  bool fallback_to_foreign_reflectors = false;  // ... reflectors of unrelated branches; default false
  // A node in no branch (roaming: its address matches no branch) may be
  // given the origin, within origin grants. Default true.
  bool roaming_to_origin = true;
  // A reflector whose parent branch (regional hub) has a complete reflector
  // in the swarm is not given the origin: the hub serves it. Default true.
  bool skip_origin_when_parent_seeds = true;
  // A reflector whose branch has a complete sibling reflector is not given the
  // origin: the LAN holds every piece, the WAN would carry a second copy.
  // Default true. (Endpoints have no such rule: any endpoint can claim to be
  // complete; a completed stand-in keeps its grant until its lease lapses.)
  bool skip_origin_when_branch_seeds = true;
  // How often one peer of a capped tier (endpoints handed to endpoints,
  // incomplete peers handed to seeds) may be handed out per hand-out window;
  // 0 = no cap. Default 100 (about half libtorrent's default connection
  // limit: handing a peer to more requesters than it accepts is wasted).
  uint32_t max_handouts_per_peer = 100;
  // When the cap removed every candidate, still hand out this many capped
  // peers (least handed out first) rather than none. Default 4.
  uint32_t min_peers_when_capped = 4;
  // Reflectors are ordered most complete first in buckets of this many
  // permille; within a bucket the least handed out come first. Default 100.
  uint32_t reflector_bucket_permille = 100;

  Status validate() const {
    if (reflector_bucket_permille == 0 || reflector_bucket_permille > 1000)
      return Status::invalid_argument("reflector_bucket_permille must be in 1..1000");
    return Status();
  }
};

}  // namespace bc::tracker::bt
