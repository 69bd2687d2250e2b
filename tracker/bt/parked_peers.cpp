#include "tracker/bt/parked_peers.hpp"

#include <unordered_set>

namespace bc::tracker::bt {

size_t ParkedPeers::park(SwarmRegistry& registry, const NodeId& node, Node& out) {
  std::vector<std::pair<InfoHash, uint64_t>> holding;
  registry.for_each_swarm([&](const InfoHash& h, const Swarm& s) {
    if (s.find(node)) holding.emplace_back(h, s.total_bytes());
  });
  size_t n = 0;
  for (const auto& [hash, total] : holding) {
    Swarm* s = registry.find(hash);
    // Each removal leaves the node's next most recent entry (≤ max_entries_per_node).
    while (const PeerEntry* e = s ? s->find(node) : nullptr) {
      out.held.push_back(Held{hash, total, *e});
      s->remove(node, e->source);
      ++n;
    }
  }
  return n;
}

size_t ParkedPeers::restore(SwarmRegistry& registry, Node& node, int64_t now_s) {
  size_t n = 0;
  for (const Held& h : node.held) {
    if (now_s - h.entry.last_announce_s >= registry.options().peer_timeout_s) continue;  // would have expired
    if (const Swarm* s = registry.find(h.hash); s && s->find(h.entry.node_id, h.entry.source)) continue;
    PeerUpdate u;
    u.node_id = h.entry.node_id;
    u.role = h.entry.role;
    u.branch = h.entry.branch;
    u.v4 = h.entry.v4;
    u.v6 = h.entry.v6;
    u.left_bytes = h.entry.left_bytes;
    u.source = h.entry.source;
    if (registry.announce(h.hash, h.total_bytes, u, false, false, now_s).ok()) ++n;
  }
  return n;
}

ParkedCounts ParkedPeers::update(SwarmRegistry& registry, const std::vector<NodeId>& lapsed, int64_t now_s) {
  ParkedCounts c;
  std::unordered_set<NodeId> gone(lapsed.begin(), lapsed.end());
  for (auto it = parked_.begin(); it != parked_.end();) {
    if (gone.count(it->first)) {
      ++it;
      continue;
    }
    c.restored_entries += restore(registry, it->second, now_s);
    it = parked_.erase(it);
  }
  for (const NodeId& node : gone) {
    if (parked_.count(node)) continue;
    Node n;
    c.parked_entries += park(registry, node, n);
    if (parked_.size() < kMaxParkedNodes) parked_.emplace(node, std::move(n));
  }
  return c;
}

}  // namespace bc::tracker::bt
