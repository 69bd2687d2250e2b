#include "tracker/auth/replay_cache.hpp"

namespace bc::tracker {

ReplayCache::ReplayCache(int64_t window_s, size_t max_entries)
    : window_s_(window_s), max_entries_(max_entries) {}

void ReplayCache::expire(int64_t now_unix_s) {
  while (!by_time_.empty() && by_time_.begin()->first < now_unix_s - 2 * window_s_) {
    seen_.erase(by_time_.begin()->second);
    by_time_.erase(by_time_.begin());
  }
  while (by_time_.size() >= max_entries_ && !by_time_.empty()) {
    seen_.erase(by_time_.begin()->second);
    by_time_.erase(by_time_.begin());
    ++evicted_early_;
  }
}

bool ReplayCache::check_and_insert(const std::string& node, const std::string& nonce,
                                   int64_t now_unix_s) {
  std::string key = node + "/" + nonce;
  std::lock_guard<std::mutex> lock(mu_);
  expire(now_unix_s);
  if (!seen_.insert(key).second) return false;
  by_time_.emplace(now_unix_s, std::move(key));
  return true;
}

size_t ReplayCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_.size();
}

uint64_t ReplayCache::evicted_early() const {
  std::lock_guard<std::mutex> lock(mu_);
  return evicted_early_;
}

}  // namespace bc::tracker
