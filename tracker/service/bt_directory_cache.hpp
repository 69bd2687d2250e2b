// What StoreBtDirectory remembers between announces, so an announce does not
// re-read and re-parse the layer, assignment, branch and endpoint tables.
//
// Validity: everything except the heartbeat summary is derived from records
// that only notifying writes change (Store::Notify::yes: enrollment,
// removal, assignments, groups, branches, layer import and retirement), so
// it is kept for one Store::generation() and dropped whole when that moves.
// Reflector liveness is derived from heartbeats, which are non-notifying
// writes, so the heartbeat summary is kept for one Store::commits() (every
// committed write) instead. The caller reads the counter *before* opening
// the read transaction whose results it stores: a write that lands between
// the two is then seen by the transaction and also moves the counter, so
// nothing stale is ever kept under a current counter.
//
// Bounds: `by_key` and `entitled` hold at most `max_entries` entries each;
// inserting into a full map first empties it (counted in `evictions`):
// simple, and a burst of distinct nodes costs one reload each, never memory.
//
// Thread affinity: none of its own; StoreBtDirectory's owner serializes.
#pragma once

#include <climits>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tracker/bt/bt_service.hpp"
#include "tracker/service/desired_state.hpp"

namespace bc::tracker {

struct BtDirectoryCacheStats {
  uint64_t hits = 0;       // lookups answered from the cache
  uint64_t misses = 0;     // lookups that read the store
  uint64_t flushes = 0;    // times a new generation dropped the cache
  uint64_t evictions = 0;  // times a full map was emptied
};

// A node key's identity without liveness (which heartbeats change).
struct CachedNode {
  std::string node_id;
  bt::NodeRole role = bt::NodeRole::endpoint;
  std::string branch;
  std::string parent_branch;
  std::optional<bool> branch_wan_fallback;  // the branch's "wan_fallback"; nullopt: the tracker's default
};

// What one node (an endpoint) or one branch's reflectors may read: the
// swarm keys for announces and scrapes, the layer refs for the layer API.
struct EntitledSet {
  std::vector<bt::InfoHash> hashes;  // sorted
  std::vector<std::string> refs;     // sorted, "name@version"
};

class BtDirectoryCache {
 public:
  // REQUIRES: max_entries > 0.
  explicit BtDirectoryCache(size_t max_entries) : max_entries_(max_entries) {}

  // Drops everything derived from notifying writes unless `generation` is
  // the one the cache holds.
  void sync_generation(uint64_t generation);
  // Drops the heartbeat summary unless `commits` is the one it was read at
  // or it was read less than a second before `now_s` (unix seconds).
  void sync_commits(uint64_t commits, int64_t now_s);

  // Published (not retired) layers: swarm key -> payload bytes.
  std::optional<std::unordered_map<bt::InfoHash, uint64_t, bt::InfoHashHash>> layers;
  // The assignment view, loaded by the first entitlement miss.
  std::optional<AssignmentView> view;
  // Every endpoint, by branch, loaded by the first reflector entitlement miss.
  std::optional<std::map<std::string, std::vector<EndpointFacts>>> endpoints_by_branch;
  // Branch -> latest reflector heartbeat (unix seconds).
  std::optional<std::map<std::string, int64_t>> latest_heartbeat;
  // Reflector id -> its last heartbeat (unix seconds), read with the above.
  std::map<std::string, int64_t> reflector_heartbeat;
  // When the summary was read (unix seconds): with heartbeats every few
  // seconds from every reflector, commits move all the time, so the summary
  // is re-read at most once a second (stale by at most 1 s, against a live
  // window of reflector_live_s).
  int64_t heartbeat_read_s = INT64_MIN;

  const CachedNode* find_node(const std::string& key);
  void put_node(const std::string& key, CachedNode node);
  // Entitlement sets: "e:<endpoint id>" or "r:<branch>".
  const EntitledSet* find_entitled(const std::string& who);
  void put_entitled(const std::string& who, EntitledSet set);

  const BtDirectoryCacheStats& stats() const { return stats_; }
  void count_hit() { ++stats_.hits; }
  void count_miss() { ++stats_.misses; }

 private:
  size_t max_entries_;
  std::optional<uint64_t> generation_;
  std::optional<uint64_t> commits_;
  std::unordered_map<std::string, CachedNode> by_key_;
  std::unordered_map<std::string, EntitledSet> entitled_;
  BtDirectoryCacheStats stats_;
};

}  // namespace bc::tracker
