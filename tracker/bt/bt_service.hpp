// The tracker's BitTorrent endpoints as one sans-IO object: the HTTP server
// hands it the raw query string of GET /announce or /scrape, the peer's
// source address and the time, and sends back the bencoded body it returns
// (always with status 200 and Content-Type text/plain, as BitTorrent
// clients expect; errors are bencoded `failure reason`s).
//
// The node is identified by its per-node key (`bckey` in the announce URL's
// query, issued at enrollment), resolved through BtDirectory, which the
// tracker implements over its store. Not thread-safe: call from the one
// thread (or strand) that owns it.
#pragma once

#include <optional>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "layers/util/status.hpp"
#include "tracker/bt/announce_request.hpp"
#include "tracker/bt/parked_peers.hpp"
#include "tracker/bt/policy/select_peers.hpp"
#include "tracker/bt/response.hpp"
#include "layers/util/rng.hpp"
#include "tracker/bt/scrape_request.hpp"
#include "tracker/bt/swarm_registry.hpp"

namespace bc::tracker::bt {

// Who a node key belongs to, as the tracker's store knows it.
struct NodeIdentity {
  NodeId node_id;
  NodeRole role = NodeRole::endpoint;
  BranchId branch;          // from the node's source address (branch subnets); empty: roaming / origin
  BranchId parent_branch;   // the branch's regional hub; empty when none
  bool branch_has_live_reflector = false;
  bool parent_has_live_reflector = false;  // reflectors only: the hub has a live reflector
  std::optional<bool> wan_fallback;  // the branch's own setting; nullopt: PeerSelectionOptions::wan_fallback
};

// The tracker's store, seen from the BitTorrent half.
class BtDirectory {
 public:
  virtual ~BtDirectory() = default;
  // The node holding `node_key`, connecting from `source`. permission_denied
  // (message sent to the client) when the key is unknown or revoked.
  virtual Result<NodeIdentity> node_for_key(std::string_view node_key, const IpAddress& source) = 0;
  // Payload bytes of the layer torrent announced as `hash`; not_found when
  // the tracker serves no such torrent.
  virtual Result<uint64_t> torrent_bytes(const InfoHash& hash) = 0;
};

struct BtServiceOptions {
  uint32_t interval_s = 1800;      // "interval" sent to clients, seconds; default 1800
  uint32_t min_interval_s = 60;    // "min interval", seconds; default 60
  // "interval" (and "min interval") sent to an incomplete holder of an origin
  // grant, seconds: its announces renew the grant's lease
  // (OriginGrantLimits::ttl_s must exceed this), so a holder that died loses
  // the role within ttl_s. Default 30 (nodes re-announce no faster).
  uint32_t grant_holder_interval_s = 30;
  uint32_t default_numwant = 50;   // peers when the client sends no numwant; default 50
  uint32_t max_numwant = 200;      // numwant is clamped to this; default 200
  // Use the ip=/ipv4=/ipv6= parameters instead of the connection's source
  // address. Default false: a node could otherwise register someone else's
  // address. The source address and the announced port are used.
  bool trust_client_ip = false;
  uint64_t rng_seed = 1;           // seeds the hand-out order; default 1
  QueryLimits query;
  SwarmRegistryOptions registry;
  PeerSelectionOptions selection;
  Status validate() const;
};

struct BtServiceCounters {
  uint64_t announces = 0;
  uint64_t scrapes = 0;
  uint64_t bad_requests = 0;     // malformed queries
  uint64_t denied = 0;           // missing or unknown node key
  uint64_t unregistered = 0;     // unknown info-hash
  // A known layer the node is not entitled to: an announce refused, or a
  // scrape's hash left out (BEP 48 lets a tracker omit hashes; answering
  // as for an unknown hash tells a node nothing about layers not its own).
  uint64_t forbidden_announces = 0;
  uint64_t forbidden_scrapes = 0;
  uint64_t refused_full = 0;     // registry limits
  uint64_t origin_refused = 0;   // an origin tier was withheld by the grants
  uint64_t wan_peers = 0;        // peers handed out across a WAN link
  uint64_t lan_peers = 0;        // peers handed out within a branch
};

// An announce's outcome before encoding (what tests and metrics look at).
struct AnnounceResult {
  Status status;                 // not OK: the failure reason sent
  AnnounceResponse response;     // valid when status.ok()
  std::vector<TierKind> tiers;   // per selected peer, in order
  std::vector<NodeId> peer_ids;  // per selected peer, in order
};

class BtService {
 public:
  // REQUIRES: options.validate().ok(); `directory` outlives the service.
  BtService(BtServiceOptions options, BtDirectory& directory);

  // GET /announce?<query>: the bencoded body.
  std::string announce(std::string_view query, const IpAddress& source, int64_t now_s);
  AnnounceResult announce_result(std::string_view query, const IpAddress& source, int64_t now_s);
  // GET /scrape?<query>: the bencoded body.
  std::string scrape(std::string_view query, const IpAddress& source, int64_t now_s);
  // Drops idle peers; call about once a minute.
  size_t expire(int64_t now_s) { return registry_.expire(now_s); }

  // Nodes known to be gone (reflectors whose heartbeats lapsed): the whole
  // list each call. Their entries leave every swarm until they are live
  // again (parked_peers.hpp).
  ParkedCounts set_lapsed(const std::vector<NodeId>& lapsed, int64_t now_s) {
    return parked_.update(registry_, lapsed, now_s);
  }
  const ParkedPeers& parked() const { return parked_; }

  const SwarmRegistry& registry() const { return registry_; }
  const BtServiceCounters& counters() const { return counters_; }

 private:
  Result<PeerUpdate> peer_update(const AnnounceRequest& req, const NodeIdentity& id, const IpAddress& source) const;

  BtServiceOptions options_;
  BtDirectory& directory_;
  SwarmRegistry registry_;
  ParkedPeers parked_;
  SplitMix64 rng_;
  BtServiceCounters counters_;
};

}  // namespace bc::tracker::bt
