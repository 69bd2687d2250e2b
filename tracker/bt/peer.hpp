// What the tracker knows about one node in one swarm.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tracker/bt/ip_address.hpp"

namespace bc::tracker::bt {

// Node ids and branch ids are the tracker's names for enrolled nodes and
// branches. The empty BranchId means "in no branch": the origin (which lives
// in the datacenter) and roaming nodes whose address matches no branch.
using NodeId = std::string;
using BranchId = std::string;

inline constexpr size_t kMaxNodeIdBytes = 128;
inline constexpr size_t kMaxBranchIdBytes = 128;
inline constexpr uint32_t kPermilleComplete = 1000;

enum class NodeRole { endpoint, reflector, origin };
const char* to_string(NodeRole r);

struct PeerEntry {
  NodeId node_id;
  NodeRole role = NodeRole::endpoint;
  BranchId branch;
  IpAddress source;                // where its announces come from; with node_id, its key
  std::optional<PeerEndpoint> v4;  // at least one of v4/v6 is set
  std::optional<PeerEndpoint> v6;
  uint64_t left_bytes = 0;
  uint32_t completeness_permille = 0;  // (total - left) * 1000 / total, rounded down; 1000 iff left == 0
  bool has_pieces = false;             // left < total, or a seed
  int64_t last_announce_s = 0;
  // HandoutLedger's bookkeeping, kept in the entry so counting a candidate
  // costs no lookup by node id (selection counts every peer of a tier):
  // hand-outs within ledger window `handout_window`. Mutable because
  // selection sees peers as const; only the swarm's ledger touches them.
  mutable uint32_t handouts = 0;
  mutable uint64_t handout_window = 0;

  bool seed() const { return left_bytes == 0; }
};

// Completeness in permille of a swarm whose payload is `total_bytes`. A
// node with left == 0 is complete whatever the total; an unknown total (0)
// gives 0 for any node with bytes left.
uint32_t completeness_permille(uint64_t left_bytes, uint64_t total_bytes);

}  // namespace bc::tracker::bt
