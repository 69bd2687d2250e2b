#include "layers/rtt_probe/source_rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace bc::rtt_probe {

Status SourceRateLimiterOptions::validate() const {
  if (!(replies_per_s >= 0) || !std::isfinite(replies_per_s)) {
    return Status::invalid_argument("replies_per_s must be a finite number >= 0");
  }
  if (!(max_total_replies_per_s >= 0) || !std::isfinite(max_total_replies_per_s)) {
    return Status::invalid_argument("max_total_replies_per_s must be a finite number >= 0");
  }
  if (!(burst >= 1) || !std::isfinite(burst)) {
    return Status::invalid_argument("burst must be a finite number >= 1");
  }
  if (max_sources < 1 || max_sources > (1u << 20)) {
    return Status::invalid_argument("max_sources must be in [1, 1048576]");
  }
  return Status();
}

SourceRateLimiter::SourceRateLimiter(SourceRateLimiterOptions options)
    : options_(options) {
  total_.tokens = std::max(options_.burst, options_.max_total_replies_per_s);
  total_.updated_us = INT64_MIN;
}

size_t SourceRateLimiter::KeyHash::operator()(const SourceKey& k) const {
  // FNV-1a over the address bytes; collisions only cost a compare.
  uint64_t h = 1469598103934665603ull ^ (k.v6 ? 1u : 0u);
  for (uint8_t c : k.bytes) h = (h ^ c) * 1099511628211ull;
  return static_cast<size_t>(h);
}

bool SourceRateLimiter::take(Bucket& b, double rate_per_s, double depth, int64_t now_us) {
  if (rate_per_s <= 0) return false;
  if (b.updated_us != INT64_MIN && now_us > b.updated_us) {
    double refill = static_cast<double>(now_us - b.updated_us) * rate_per_s / 1e6;
    b.tokens = std::min(depth, b.tokens + refill);
  }
  if (b.updated_us == INT64_MIN || now_us > b.updated_us) b.updated_us = now_us;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

bool SourceRateLimiter::allow(const SourceKey& source, int64_t now_us) {
  auto it = index_.find(source);
  if (it == index_.end()) {
    if (lru_.size() >= options_.max_sources) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
      ++evictions_;
    }
    lru_.push_front(Entry{source, Bucket{options_.burst, now_us}});
    it = index_.emplace(source, lru_.begin()).first;
  } else if (it->second != lru_.begin()) {
    lru_.splice(lru_.begin(), lru_, it->second);
  }
  Bucket& bucket = it->second->bucket;
  // Check the source first: a source over its limit must not drain the
  // global bucket that other sources share.
  if (options_.replies_per_s <= 0) return false;
  Bucket probe = bucket;
  if (!take(probe, options_.replies_per_s, options_.burst, now_us)) {
    bucket = probe;
    return false;
  }
  double total_depth = std::max(options_.burst, options_.max_total_replies_per_s);
  if (!take(total_, options_.max_total_replies_per_s, total_depth, now_us)) {
    // Refilled but not spent: keep the refill, give the token back.
    bucket = probe;
    bucket.tokens += 1.0;
    return false;
  }
  bucket = probe;
  return true;
}

}  // namespace bc::rtt_probe
