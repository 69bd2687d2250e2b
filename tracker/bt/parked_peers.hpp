// Peers the tracker has stopped handing out because their node is known to
// be gone: a reflector whose heartbeats lapsed (killed, hung, cut off). Left
// alone, the registry would name it until its entries expire, two announce
// intervals later (over an hour), and its branch's endpoints would keep being
// sent to a dead address instead of a sibling or the origin. Parking takes the
// node's entries out of every swarm (peer lists and scrapes stop naming it at
// once) and keeps them; when the node is live again they go back as they were,
// since a reflector re-announces only every interval and would otherwise stay
// unknown that long.
//
// Bounds: at most kMaxParkedNodes nodes (a node beyond it is removed without
// being kept: its next announce brings it back); entries parked longer than
// the registry's peer_timeout_s are dropped, as the registry would have.
// Pure; not thread-safe: BtService's owner calls it.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "tracker/bt/swarm_registry.hpp"

namespace bc::tracker::bt {

inline constexpr size_t kMaxParkedNodes = 65'536;

struct ParkedCounts {
  size_t parked_entries = 0;    // entries taken out by this update
  size_t restored_entries = 0;  // entries put back by this update
};

class ParkedPeers {
 public:
  // `lapsed`: every node that is gone now (the whole list, each call).
  // Parks the entries of nodes newly in it; restores the entries of parked
  // nodes no longer in it (an entry whose node re-announced meanwhile is
  // left as announced). O(swarms) per newly lapsed node.
  ParkedCounts update(SwarmRegistry& registry, const std::vector<NodeId>& lapsed, int64_t now_s);
  bool parked(const NodeId& node) const { return parked_.count(node) != 0; }
  size_t parked_nodes() const { return parked_.size(); }

 private:
  struct Held {
    InfoHash hash;
    uint64_t total_bytes = 0;
    PeerEntry entry;
  };
  struct Node {
    std::vector<Held> held;
  };
  size_t park(SwarmRegistry& registry, const NodeId& node, Node& out);
  size_t restore(SwarmRegistry& registry, Node& node, int64_t now_s);

  std::unordered_map<NodeId, Node> parked_;
};

}  // namespace bc::tracker::bt
