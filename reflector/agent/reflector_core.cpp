#include "reflector/agent/reflector_core.hpp"

#include <algorithm>
#include <cstdint>

#include "reflector/cache/eviction_policy.hpp"

namespace bc::reflector {

Status ReflectorCoreOptions::validate() const {
  if (quota_bytes == 0) return Status::invalid_argument("quota_bytes must be > 0");
  if (max_parallel_fetches < 1 || max_parallel_fetches > 64)
    return Status::invalid_argument("max_parallel_fetches must be in 1..64");
  if (retry_min_ms < 1 || retry_max_ms < retry_min_ms)
    return Status::invalid_argument("retry delays must satisfy 1 <= retry_min_ms <= retry_max_ms");
  if (max_layers == 0) return Status::invalid_argument("max_layers must be > 0");
  if (serving_window_ms < 0) return Status::invalid_argument("serving_window_ms must be >= 0");
  return Status();
}

const char* to_string(CacheState s) {
  switch (s) {
    case CacheState::fetching: return "downloading";
    case CacheState::seeding: return "complete";
    case CacheState::waiting_retry: return "failed";
  }
  return "?";
}

ReflectorCore::ReflectorCore(ReflectorCoreOptions options) : options_(std::move(options)) {}

void ReflectorCore::set_desired(std::vector<DesiredLayer> desired) {
  if (desired.size() > options_.max_layers) {
    last_error_ = "desired set has " + std::to_string(desired.size()) + " layers; only the first " +
                  std::to_string(options_.max_layers) + " are cached";
    desired.resize(options_.max_layers);
  }
  desired_ = std::move(desired);
}

void ReflectorCore::adopt_cached(const DesiredLayer& layer, int64_t now_ms) {
  if (cache_.size() >= options_.max_layers) return;
  CoreLayer c;
  c.ref = layer.ref;
  c.info_hash = layer.info_hash;
  c.state = CacheState::seeding;
  c.bytes = c.done_bytes = layer.total_bytes;
  c.last_used_ms = now_ms;
  cache_[layer.ref] = c;
}

bool ReflectorCore::is_desired(const LayerRef& ref) const {
  return std::any_of(desired_.begin(), desired_.end(), [&](const DesiredLayer& d) { return d.ref == ref; });
}

uint64_t ReflectorCore::cache_bytes() const {
  uint64_t sum = 0;
  for (const auto& [ref, c] : cache_) sum += c.bytes;
  return sum;
}

uint64_t ReflectorCore::free_bytes() const {
  uint64_t used = cache_bytes();
  return used >= options_.quota_bytes ? 0 : options_.quota_bytes - used;
}

int64_t ReflectorCore::backoff_ms(int failures) const {
  int64_t d = options_.retry_min_ms;
  for (int i = 1; i < failures && d < options_.retry_max_ms; ++i) d *= 2;
  return std::min(d, options_.retry_max_ms);
}

// Evicts (in the returned actions) what plan_eviction allows so that `d` fits.
bool ReflectorCore::try_make_room(const DesiredLayer& d, int64_t now_ms, std::vector<Action>& out) {
  uint64_t used = cache_bytes();
  if (used + d.total_bytes <= options_.quota_bytes) return true;
  std::vector<CachedLayer> cached;
  for (const auto& [ref, c] : cache_) {
    cached.push_back({ref, c.bytes, c.last_used_ms, is_desired(ref), busy(c, now_ms)});
  }
  EvictionPlan p = plan_eviction(cached, options_.quota_bytes, d.total_bytes);
  if (p.still_over_quota) {
    last_error_ = "layer " + d.ref.to_string() + " (" + std::to_string(d.total_bytes) +
                  " bytes) does not fit the cache quota of " + std::to_string(options_.quota_bytes) +
                  " bytes next to the layers the branch needs";
    return false;
  }
  for (const auto& ref : p.evict) {
    out.push_back({Action::evict, ref, cache_.at(ref).info_hash, cache_.at(ref).bytes});
    cache_.erase(ref);
  }
  return true;
}

Status ReflectorCore::set_quota(uint64_t quota_bytes) {
  if (quota_bytes == 0) return Status::invalid_argument("quota_bytes must be > 0");
  options_.quota_bytes = quota_bytes;
  return Status();
}

std::vector<Action> ReflectorCore::plan(int64_t now_ms) {
  std::vector<Action> out;
  last_error_.clear();
  // Over the quota (it was lowered): drop what the policy allows.
  if (cache_bytes() > options_.quota_bytes) {
    std::vector<CachedLayer> cached;
    for (const auto& [ref, c] : cache_) cached.push_back({ref, c.bytes, c.last_used_ms, is_desired(ref), busy(c, now_ms)});
    EvictionPlan p = plan_eviction(cached, options_.quota_bytes, 0);
    for (const auto& ref : p.evict) {
      out.push_back({Action::evict, ref, cache_.at(ref).info_hash, cache_.at(ref).bytes});
      cache_.erase(ref);
    }
    if (p.still_over_quota)
      last_error_ = "the cache holds " + std::to_string(cache_bytes()) + " bytes the branch needs, over its quota of " +
                    std::to_string(options_.quota_bytes) + " bytes";
  }
  // A failed layer the branch no longer needs: drop its partial files.
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (it->second.state == CacheState::waiting_retry && !is_desired(it->first)) {
      out.push_back({Action::evict, it->first, it->second.info_hash, 0});
      it = cache_.erase(it);
    } else {
      ++it;
    }
  }
  int fetching = 0;
  for (const auto& [ref, c] : cache_) fetching += c.state == CacheState::fetching;
  for (const auto& d : desired_) {
    if (fetching >= options_.max_parallel_fetches) break;
    auto it = cache_.find(d.ref);
    if (it != cache_.end()) {
      if (it->second.state != CacheState::waiting_retry || it->second.retry_at_ms > now_ms) continue;
      it->second.bytes = 0;  // a failed fetch holds no counted bytes while it waits
    }
    if (it == cache_.end() && cache_.size() >= options_.max_layers) break;
    if (older_version_fetching(d.ref)) continue;  // the delta waits for its base (see the header)
    if (!try_make_room(d, now_ms, out)) break;  // keep the tracker's order: do not skip ahead
    CoreLayer& c = cache_[d.ref];
    c.ref = d.ref;
    c.info_hash = d.info_hash;
    c.state = CacheState::fetching;
    c.bytes = d.total_bytes;
    c.done_bytes = 0;
    c.last_used_ms = now_ms;
    out.push_back({Action::fetch, d.ref, d.info_hash, d.total_bytes});
    ++fetching;
  }
  return out;
}

bool ReflectorCore::older_version_fetching(const LayerRef& ref) const {
  for (auto it = cache_.lower_bound(LayerRef{ref.name, INT64_MIN}); it != cache_.end() && it->first.name == ref.name; ++it)
    if (it->first.version < ref.version && it->second.state == CacheState::fetching) return true;
  return false;
}

void ReflectorCore::on_progress(const LayerRef& ref, uint64_t done_bytes) {
  auto it = cache_.find(ref);
  if (it != cache_.end()) it->second.done_bytes = done_bytes;
}

void ReflectorCore::on_fetch_done(const LayerRef& ref, uint64_t bytes, int64_t now_ms) {
  auto it = cache_.find(ref);
  if (it == cache_.end()) return;
  it->second.state = CacheState::seeding;
  it->second.bytes = bytes;
  it->second.done_bytes = bytes;
  it->second.failures = 0;
  it->second.last_error.clear();
  it->second.last_used_ms = now_ms;
}

void ReflectorCore::on_fetch_failed(const LayerRef& ref, const std::string& error, int64_t now_ms) {
  auto it = cache_.find(ref);
  if (it == cache_.end()) return;
  CoreLayer& c = it->second;
  c.state = CacheState::waiting_retry;
  c.failures += 1;
  c.retry_at_ms = now_ms + backoff_ms(c.failures);
  c.last_error = error;
  c.bytes = 0;
  c.done_bytes = 0;
  c.uploaded_bytes = 0;  // the fetch leaves the swarm session: its counter starts again
}

void ReflectorCore::on_used(const LayerRef& ref, int64_t now_ms) {
  auto it = cache_.find(ref);
  if (it != cache_.end()) it->second.last_used_ms = now_ms;
}

}  // namespace bc::reflector

namespace bc::reflector {

void ReflectorCore::on_upload(const LayerRef& ref, uint64_t uploaded_bytes, int64_t now_ms) {
  auto it = cache_.find(ref);
  if (it == cache_.end()) return;
  CoreLayer& c = it->second;
  if (uploaded_bytes > c.uploaded_bytes) {
    c.last_used_ms = now_ms;
    c.last_served_ms = now_ms;
  }
  c.uploaded_bytes = uploaded_bytes;
}

bool ReflectorCore::busy(const CoreLayer& c, int64_t now_ms) const {
  if (c.state == CacheState::fetching) return true;
  return c.last_served_ms >= 0 && now_ms - c.last_served_ms < options_.serving_window_ms;
}

}  // namespace bc::reflector
