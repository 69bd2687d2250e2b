// Soft state for the BitTorrent tracker: which node holds (or is fetching)
// which torrent, grouped by branch. The announce handler (tracker/bt/) will
// update it on every announce and ask it for candidates, then hand them to
// the branch-aware selection policy. Nothing here is persisted: after a
// restart nodes re-announce within one interval and the registry refills.
//
// Pure apart from a mutex: time comes in as now_ms arguments. Bounded:
// max_torrents info-hashes and max_peers_per_torrent peers per info-hash;
// an upsert beyond a bound is refused (returns false) and counted.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace bc::tracker {

struct PeerRegistryOptions {
  size_t max_torrents = 100'000;         // distinct info-hashes; default 100k
  size_t max_peers_per_torrent = 20'000; // peers per info-hash; default 20k
  int64_t peer_ttl_ms = 45 * 60 * 1000;  // forget a peer not seen for this long; default 45 min
};

struct PeerEntry {
  std::string node_id;    // public key hex
  std::string branch;     // the node's branch at announce time
  std::string role;       // "endpoint", "reflector" or "origin"
  std::string ip;         // text form
  uint16_t port = 0;
  bool seeder = false;    // left == 0
  int64_t last_seen_ms = 0;
};

class PeerRegistry {
 public:
  explicit PeerRegistry(PeerRegistryOptions options = {});

  // Records or refreshes a peer; false when a bound refused it.
  bool upsert(const std::string& info_hash, const PeerEntry& peer);
  void remove(const std::string& info_hash, const std::string& node_id);
  // Every peer of the torrent, optionally only those of `branch` ("" = all).
  std::vector<PeerEntry> peers(const std::string& info_hash, const std::string& branch = "") const;
  // Drops peers older than the TTL. Returns how many were dropped.
  size_t expire(int64_t now_ms);
  // Peers per branch over all torrents (for the peers-per-branch gauge).
  std::map<std::string, int64_t> peers_per_branch() const;
  uint64_t refused() const;

 private:
  PeerRegistryOptions options_;
  mutable std::mutex mu_;
  // info-hash -> node id -> entry
  std::map<std::string, std::map<std::string, PeerEntry>> torrents_;
  uint64_t refused_ = 0;
};

}  // namespace bc::tracker
