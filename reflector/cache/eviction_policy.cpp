#include "reflector/cache/eviction_policy.hpp"

#include <algorithm>

namespace bc::reflector {

EvictionPlan plan_eviction(const std::vector<CachedLayer>& cache, uint64_t quota_bytes,
                           uint64_t incoming_bytes) {
  EvictionPlan plan;
  uint64_t used = 0;
  std::vector<const CachedLayer*> candidates;
  for (const auto& c : cache) {
    used += c.bytes;
    if (!c.assigned_in_branch && !c.busy) candidates.push_back(&c);
  }
  // Least recently used first; ties broken by reference so the plan is stable.
  std::sort(candidates.begin(), candidates.end(), [](const CachedLayer* a, const CachedLayer* b) {
    return a->last_used_ms != b->last_used_ms ? a->last_used_ms < b->last_used_ms : a->ref < b->ref;
  });
  for (const CachedLayer* c : candidates) {
    if (used + incoming_bytes <= quota_bytes) break;
    plan.evict.push_back(c->ref);
    used -= c->bytes;
  }
  plan.bytes_after = used;
  plan.still_over_quota = used + incoming_bytes > quota_bytes;
  return plan;
}

}  // namespace bc::reflector
