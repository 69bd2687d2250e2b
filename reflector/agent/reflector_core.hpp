// The reflector's decision core (pure: no sockets, files, threads or clock;
// the driver passes now_ms). Inputs: the branch's desired layer set (from the
// tracker), the cache's state and its quota. Output: actions for the driver
// (fetch a layer, evict a layer) and the report it sends.
//
// Rules:
// - Prefetch every desired layer, in the tracker's order, at most
//   max_parallel_fetches at once. A fetched layer stays in the swarm session as
//   a seed (the driver keeps it there; "seed" is the state after a fetch).
// - Before a fetch starts, the cache plus the layer's bytes must fit the
//   quota; plan_eviction picks what to drop (never a desired or busy layer,
//   LRU among the rest). "Used" is fetched or served: the driver reports each
//   layer's upload counter (on_upload), and a layer that sent bytes to a
//   peer within serving_window_ms counts as busy, like one being fetched:
//   never evicted while it serves the branch. If the desired set alone does not fit, the fetch
//   waits and the report names the shortfall.
// - A failed fetch is retried after a backoff doubling from retry_min_ms up
//   to retry_max_ms; its last error is reported.
// - A new version of a layer waits while an older version of it is still
//   fetching, and starts once that one is held: the content index then has
//   the older version's files, so only the changed bytes cross the WAN. (A
//   version assigned while its predecessor was mid-fetch, started at once,
//   found nothing to dedup against and crossed the WAN whole.) The older
//   fetch runs on even though the branch no longer needs it; a failed one
//   stops being waited for.
// - Nothing assumes a sibling reflector: the core never waits for anyone.
//
// Thread affinity: one thread (the driver's).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "layers/model/manifest.hpp"
#include "layers/util/status.hpp"

namespace bc::reflector {

struct ReflectorCoreOptions {
  uint64_t quota_bytes = 0;          // cache quota, bytes; required (> 0)
  int max_parallel_fetches = 2;      // layers downloading at once; default 2
  int64_t retry_min_ms = 2'000;      // first retry delay after a failed fetch; default 2 s
  int64_t retry_max_ms = 300'000;    // longest retry delay; default 5 min
  size_t max_layers = 4096;          // bound on desired + cached layers tracked; default 4096
  // A layer that sent payload to a peer this recently is busy (never
  // evicted), ms; default 30 s: a peer mid-download pulls from it every
  // second or so, and a pause longer than this means it went elsewhere.
  int64_t serving_window_ms = 30'000;
  Status validate() const;
};

struct DesiredLayer {
  LayerRef ref;
  std::string info_hash;   // 64 hex (v2 info-hash), from the tracker
  uint64_t total_bytes = 0;
};

enum class CacheState { fetching, seeding, waiting_retry };
const char* to_string(CacheState s);

struct CoreLayer {
  LayerRef ref;
  std::string info_hash;
  CacheState state = CacheState::fetching;
  uint64_t bytes = 0;              // payload bytes (total_bytes while fetching)
  uint64_t done_bytes = 0;         // verified bytes so far
  int64_t last_used_ms = 0;        // last fetched or served
  int64_t last_served_ms = -1;     // last time its upload counter grew; -1 = never
  uint64_t uploaded_bytes = 0;     // the driver's last reading of the swarm's upload counter
  int failures = 0;                // consecutive failed fetches
  int64_t retry_at_ms = 0;         // waiting_retry: earliest next attempt
  std::string last_error;
};

struct Action {
  enum Kind { fetch, evict } kind = fetch;
  LayerRef ref;
  std::string info_hash;
  uint64_t total_bytes = 0;
};

class ReflectorCore {
 public:
  explicit ReflectorCore(ReflectorCoreOptions options);

  // Replaces the desired set (order = prefetch order). Layers beyond
  // max_layers are ignored (reported in last_error()).
  void set_desired(std::vector<DesiredLayer> desired);
  // A layer found complete in the cache at start-up (already seeding).
  void adopt_cached(const DesiredLayer& layer, int64_t now_ms);

  // What to do now: evictions first, then fetches. Each returned fetch is
  // marked fetching, each evict removed from the cache state, so calling
  // again does not repeat them. The driver must carry out every action.
  std::vector<Action> plan(int64_t now_ms);

  // A new cache quota (a config reload). The next plan() evicts what the
  // eviction policy allows (never a desired or busy layer) until the cache
  // fits; what cannot go stays, and plan() says so in last_error().
  // invalid_argument for 0.
  Status set_quota(uint64_t quota_bytes);
  uint64_t quota_bytes() const { return options_.quota_bytes; }

  void on_progress(const LayerRef& ref, uint64_t done_bytes);
  void on_fetch_done(const LayerRef& ref, uint64_t bytes, int64_t now_ms);
  void on_fetch_failed(const LayerRef& ref, const std::string& error, int64_t now_ms);
  // A peer was served from this layer (keeps it recent for LRU).
  void on_used(const LayerRef& ref, int64_t now_ms);
  // The swarm's upload counter of a layer (payload bytes sent since it was
  // added to the session). When it grew since the last reading, the layer
  // was served: on_used, and busy for serving_window_ms. A smaller reading
  // (the layer was added again) is a new baseline, not a use.
  void on_upload(const LayerRef& ref, uint64_t uploaded_bytes, int64_t now_ms);
  // Fetching, or served within serving_window_ms of now_ms.
  bool busy(const CoreLayer& layer, int64_t now_ms) const;

  const std::map<LayerRef, CoreLayer>& cache() const { return cache_; }
  const std::vector<DesiredLayer>& desired() const { return desired_; }
  uint64_t cache_bytes() const;
  uint64_t free_bytes() const;
  bool is_desired(const LayerRef& ref) const;
  // Why the last plan() could not start a fetch ("" when none).
  const std::string& last_error() const { return last_error_; }

 private:
  bool try_make_room(const DesiredLayer& d, int64_t now_ms, std::vector<Action>& out);
  bool older_version_fetching(const LayerRef& ref) const;
  int64_t backoff_ms(int failures) const;

  ReflectorCoreOptions options_;
  std::vector<DesiredLayer> desired_;
  std::map<LayerRef, CoreLayer> cache_;
  std::string last_error_;
};

}  // namespace bc::reflector
