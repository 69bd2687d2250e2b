// The BitTorrent half's view of the tracker's store (tracker/bt/BtDirectory
// over LMDB). What it reads is kept in a BtDirectoryCache until the next
// write that can change it (see bt_directory_cache.hpp), so a steady-state
// announce opens no read transaction; any write the admin API acknowledged
// (revoked node, retired layer, changed assignment) is seen by the next call.
//
// Thread affinity: not thread-safe on its own; BtService calls it from the
// one thread or lock that owns the service. `last_identity()` is the node
// the latest node_for_key call resolved (the announce handler reads it for
// metrics, under the same lock).
//
// Entitlement (when options.enforce_entitlement): after node_for_key, the
// following torrent_bytes calls answer permission_denied for layers the node
// may not announce: an endpoint only the layers of its effective desired
// stack, a reflector any layer the desired stack of an endpoint of its
// branch (or the branch's own assignment) holds, and for a hub the same for
// every branch below it (reflector_entitlement). A scrape leaves such
// hashes out. node_entitled answers the same rule, from the same cache, for
// the layer API (manifest and torrent reads by a signed node).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "layers/util/clock.hpp"
#include "tracker/bt/bt_service.hpp"
#include "tracker/service/bt_directory_cache.hpp"
#include "tracker/store/store.hpp"

namespace bc::tracker {

struct StoreBtDirectoryOptions {
  // A branch has a live reflector when one of its reflectors heartbeated
  // within this many seconds, and a reflector that has not is left out of
  // peer lists; default 7 (reflectors heartbeat every 3 s: a live one
  // survives one lost heartbeat, a dead one is gone within 10 s).
  int64_t reflector_live_s = 7;
  // Refuse layers not assigned to the announcing node; default true.
  bool enforce_entitlement = true;
  // The origin seed's announce key ([origin] announce_key); empty = none.
  // That key resolves to the origin (role origin, no branch), entitled to
  // every published layer, so reflectors are handed the origin.
  std::string origin_key;
  // Most node keys, and most entitlement sets, remembered (a few hundred
  // bytes each); default 65536. Beyond it that map restarts empty.
  size_t cache_max_entries = 65536;
  Status validate() const;
};

class StoreBtDirectory final : public bt::BtDirectory {
 public:
  // REQUIRES: store and clock outlive the directory.
  StoreBtDirectory(const Store& store, const Clock& clock, StoreBtDirectoryOptions options = {});

  Result<bt::NodeIdentity> node_for_key(std::string_view node_key, const bt::IpAddress& source) override;
  Result<uint64_t> torrent_bytes(const bt::InfoHash& hash) override;

  // Whether the enrolled node `node_id` (role "endpoint" or "reflector", as
  // the authenticator found it) may read the layer `layer_ref`
  // ("name@version"). permission_denied when the node is not enrolled. Does
  // not touch last_identity().
  Result<bool> node_entitled(const std::string& node_id, const std::string& role, const std::string& layer_ref);

  // Every registered reflector whose last heartbeat is older than
  // reflector_live_s (killed, hung or cut off): BtService parks their peer
  // entries (tracker/bt/parked_peers.hpp). Read from the heartbeat summary,
  // at most a second stale.
  Result<std::vector<std::string>> lapsed_reflectors();

  const std::optional<bt::NodeIdentity>& last_identity() const { return last_; }
  // Forgets the last identity (call before each request).
  void reset_last() { last_.reset(); }
  const BtDirectoryCacheStats& cache_stats() const { return cache_.stats(); }

 private:
  Result<CachedNode> load_node(const std::string& key) const;
  Result<bt::NodeIdentity> node_for_id(const std::string& node_id, const std::string& role);
  Status load_heartbeats();
  Result<bool> live_reflector(const std::string& branch);
  Status load_layers();
  Result<bool> entitled(const bt::NodeIdentity& who, const bt::InfoHash& hash);
  Result<const EntitledSet*> entitled_set(const bt::NodeIdentity& who);
  Result<EntitledSet> load_entitled(const bt::NodeIdentity& who);

  const Store& store_;
  const Clock& clock_;
  StoreBtDirectoryOptions options_;
  std::optional<bt::NodeIdentity> last_;
  BtDirectoryCache cache_;
};

}  // namespace bc::tracker
