// Which cached layers a reflector evicts when its cache is over quota. Pure:
// the reflector's driver passes what it holds and what the branch needs.
//
// Rules: a layer assigned to anyone in the branch is never evicted; neither is
// one being downloaded or served right now. Among the rest, the least recently
// used go first, until the cache plus the incoming bytes fit the quota.
#pragma once

#include <cstdint>
#include <vector>

#include "layers/model/manifest.hpp"

namespace bc::reflector {

struct CachedLayer {
  LayerRef ref;
  uint64_t bytes = 0;             // payload bytes on disk
  int64_t last_used_ms = 0;       // last served or fetched (monotonic ms)
  bool assigned_in_branch = false;
  bool busy = false;              // downloading, or uploading to a peer right now
};

struct EvictionPlan {
  std::vector<LayerRef> evict;    // oldest first
  uint64_t bytes_after = 0;       // cache bytes once these are gone
  // True when even after evicting everything allowed, cache + incoming
  // exceeds the quota: the assigned set alone does not fit.
  bool still_over_quota = false;
};

// REQUIRES: refs in `cache` are unique.
EvictionPlan plan_eviction(const std::vector<CachedLayer>& cache, uint64_t quota_bytes,
                           uint64_t incoming_bytes);

}  // namespace bc::reflector
