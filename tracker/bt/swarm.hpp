// The peers of one torrent, indexed by branch so the selection policy reads
// only the branches it may hand out, plus the per-swarm state the policy
// keeps (hand-out counts, origin grants). Pure: time is passed in. Not
// thread-safe: one owner (the tracker's event loop) touches it.
//
// Entries are keyed by (node id, source address of the announce), not by
// node id alone: an announce made with a node's key from another address
// (a leaked key, a hand-made request) gets an entry of its own and can
// neither overwrite nor stop the entry the node keeps from its real
// address. A node that really moves (DHCP) gets a new entry too; the old
// one ages out (peer_timeout_s) and until then is handed out as a dead
// address and counted twice in scrapes. At most max_entries_per_node
// entries per node, so a leaked key cannot fill a swarm.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "layers/util/status.hpp"
#include "tracker/bt/handout_ledger.hpp"
#include "tracker/bt/origin_grants.hpp"
#include "tracker/bt/peer.hpp"

namespace bc::tracker::bt {

// One announce's facts about the announcing node, after the service has
// resolved its key and address.
struct PeerUpdate {
  NodeId node_id;
  NodeRole role = NodeRole::endpoint;
  BranchId branch;                 // empty: origin or roaming
  std::optional<PeerEndpoint> v4;  // REQUIRES: at least one of v4/v6
  std::optional<PeerEndpoint> v6;
  uint64_t left_bytes = 0;
  // The address the announce came from (the connection's source, never a
  // claimed ip=): with node_id, the entry's key. Default: all zero.
  IpAddress source;
};

struct SwarmLimits {
  size_t max_peers = 20'000;            // peers in one swarm; default 20,000
  // Entries one node may hold at once (one per source address); default 4.
  size_t max_entries_per_node = 4;
  int64_t handout_interval_s = 1800;    // hand-out counting window, seconds; default 1800
  OriginGrantLimits origin_grants;
};

class Swarm {
 public:
  Swarm(uint64_t total_bytes, const SwarmLimits& limits);
  Swarm(const Swarm&) = delete;
  Swarm& operator=(const Swarm&) = delete;

  // Inserts or updates the entry of (u.node_id, u.source). no_space when it
  // is new and the swarm holds max_peers or the node max_entries_per_node;
  // invalid_argument when the update has no address.
  Result<const PeerEntry*> upsert(const PeerUpdate& u, int64_t now_s);
  // Removes the entry of `node` made from `source` (a `stopped` event); the
  // node's entries from other addresses stay. False when absent.
  bool remove(const NodeId& node, const IpAddress& source);
  // Removes peers whose last announce is `timeout_s` or more before now_s;
  // returns how many.
  size_t expire(int64_t now_s, int64_t timeout_s);

  const PeerEntry* find(const NodeId& node, const IpAddress& source) const;
  // The node's most recently announced entry, whatever its source; null
  // when it has none.
  const PeerEntry* find(const NodeId& node) const;
  // How many entries `node` holds (one per source address).
  size_t entries_of(const NodeId& node) const;
  // Every peer of `branch` (any role), in no particular order.
  std::span<const PeerEntry* const> branch(const BranchId& branch) const;
  // Calls f(branch_id, peers) for every branch with peers (including "").
  template <class F>
  void for_each_branch(F&& f) const {
    for (const auto& [b, peers] : by_branch_) f(b, std::span<const PeerEntry* const>(peers));
  }

  uint64_t total_bytes() const { return total_bytes_; }
  size_t size() const { return peers_.size(); }
  size_t complete() const { return complete_; }
  size_t incomplete() const { return peers_.size() - complete_; }
  uint64_t downloaded() const { return downloaded_; }  // transitions to complete seen
  void note_completed() { ++downloaded_; }

  HandoutLedger& ledger() { return ledger_; }
  const HandoutLedger& ledger() const { return ledger_; }
  OriginGrants& origin_grants() { return grants_; }
  const OriginGrants& origin_grants() const { return grants_; }

 private:
  struct Slot {
    PeerEntry entry;
    size_t index = 0;  // position in by_branch_[entry.branch]
  };
  using Key = std::pair<NodeId, IpAddress>;
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  static Key key_of(const PeerEntry& e) { return {e.node_id, e.source}; }
  void index_add(Slot& s);
  void index_remove(Slot& s);

  uint64_t total_bytes_;
  SwarmLimits limits_;
  std::unordered_map<Key, std::unique_ptr<Slot>, KeyHash> peers_;
  std::unordered_map<NodeId, std::vector<const PeerEntry*>> by_node_;  // ≤ max_entries_per_node each
  std::unordered_map<BranchId, std::vector<const PeerEntry*>> by_branch_;
  size_t complete_ = 0;
  uint64_t downloaded_ = 0;
  HandoutLedger ledger_;
  OriginGrants grants_;
};

}  // namespace bc::tracker::bt
