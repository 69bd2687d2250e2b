// Every swarm the tracker knows, keyed by the announced info-hash (the
// truncated v2 hash, see info_hash.hpp). Bounded: at most max_swarms swarms
// and SwarmLimits::max_peers peers each; what does not fit is refused with
// no_space and counted. Peers that stop announcing expire after
// peer_timeout_s (time passed in); empty swarms are dropped. Not
// thread-safe: one owner.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

#include "layers/util/status.hpp"
#include "tracker/bt/info_hash.hpp"
#include "tracker/bt/response.hpp"
#include "tracker/bt/swarm.hpp"

namespace bc::tracker::bt {

struct SwarmRegistryOptions {
  size_t max_swarms = 10'000;          // swarms held at once; default 10,000
  int64_t peer_timeout_s = 2 * 1800 + 300;  // no announce for this long: expired, seconds; default 3900
  int64_t expiry_scan_interval_s = 60;  // a swarm is scanned for stale peers at most this often on announce, seconds; default 60
  SwarmLimits swarm;                    // per-swarm limits
  Status validate() const;
};

struct RegistryCounters {
  uint64_t refused_swarms = 0;  // a new swarm did not fit (max_swarms)
  uint64_t refused_peers = 0;   // a new peer did not fit (max_peers)
  uint64_t expired_peers = 0;
  uint64_t stopped_peers = 0;
};

enum class AnnounceOutcome { updated, stopped };

class SwarmRegistry {
 public:
  explicit SwarmRegistry(SwarmRegistryOptions options);

  // Applies one announce. A `stopped` event removes the node's entry made
  // from update.source (never its entries from other addresses) and returns
  // nullptr; otherwise returns the swarm (created on first announce, with
  // payload size `total_bytes`). `completed` counts a download when the node
  // was not already a seed. no_space when the swarm or the peer does not fit.
  Result<Swarm*> announce(const InfoHash& hash, uint64_t total_bytes, const PeerUpdate& update,
                          bool stopped, bool completed, int64_t now_s);

  Swarm* find(const InfoHash& hash);
  const Swarm* find(const InfoHash& hash) const;
  // Zeros for a swarm the registry does not hold.
  ScrapeCounts scrape(const InfoHash& hash) const;

  // Drops every peer idle for peer_timeout_s and every empty swarm; returns
  // the number of peers dropped. O(peers); call it every minute or so.
  size_t expire(int64_t now_s);

  size_t swarm_count() const { return swarms_.size(); }
  size_t peer_count() const;
  // Calls f(hash, swarm) for every swarm, in no particular order.
  template <class F>
  void for_each_swarm(F&& f) const {
    for (const auto& [h, e] : swarms_) f(h, static_cast<const Swarm&>(*e.swarm));
  }
  const RegistryCounters& counters() const { return counters_; }
  const SwarmRegistryOptions& options() const { return options_; }

 private:
  struct Entry {
    std::unique_ptr<Swarm> swarm;
    int64_t last_scan_s = 0;
  };
  SwarmRegistryOptions options_;
  std::unordered_map<InfoHash, Entry, InfoHashHash> swarms_;
  RegistryCounters counters_;
};

}  // namespace bc::tracker::bt
