#include "tracker/auth/replay_cache.hpp"

namespace bc::tracker {

ReplayCache::ReplayCache(int64_t window_s, size_t max_entries) : window_s_(window_s), max_entries_(max_entries) {}

void ReplayCache::expire(Partition& p, int64_t now_unix_s) {
  while (!p.by_time.empty() && p.by_time.begin()->first < now_unix_s - 2 * window_s_) {
    p.seen.erase(p.by_time.begin()->second);
    p.by_time.erase(p.by_time.begin());
    --total_;
  }
}

ReplayCache::Outcome ReplayCache::check_and_insert(const std::string& partition, const std::string& nonce,
                                                   int64_t now_unix_s, size_t partition_limit) {
  std::lock_guard<std::mutex> lock(mu_);
  // Every window, drop what aged out in partitions nobody touched since, so
  // the total counts live nonces only. O(entries) once per window.
  if (now_unix_s - last_sweep_s_ >= window_s_) {
    for (auto it = parts_.begin(); it != parts_.end();) {
      expire(it->second, now_unix_s);
      it = it->second.seen.empty() ? parts_.erase(it) : std::next(it);
    }
    last_sweep_s_ = now_unix_s;
  }
  Partition& p = parts_[partition];
  expire(p, now_unix_s);
  if (p.seen.count(nonce)) return Outcome::replayed;
  if (p.seen.size() >= partition_limit || total_ >= max_entries_) {
    ++refused_full_;
    if (p.seen.empty()) parts_.erase(partition);
    return Outcome::full;
  }
  p.seen.emplace(nonce, now_unix_s);
  p.by_time.emplace(now_unix_s, nonce);
  ++total_;
  return Outcome::fresh;
}

bool ReplayCache::seen(const std::string& partition, const std::string& nonce, int64_t now_unix_s) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = parts_.find(partition);
  if (it == parts_.end()) return false;
  auto n = it->second.seen.find(nonce);
  return n != it->second.seen.end() && n->second >= now_unix_s - 2 * window_s_;
}

size_t ReplayCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

size_t ReplayCache::size_of(const std::string& partition) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = parts_.find(partition);
  return it == parts_.end() ? 0 : it->second.seen.size();
}

uint64_t ReplayCache::refused_full() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_full_;
}

int64_t ReplayCache::retry_after_s(const std::string& partition, int64_t now_unix_s) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = parts_.find(partition);
  if (it == parts_.end() || it->second.by_time.empty()) return 0;
  int64_t gone_at = it->second.by_time.begin()->first + 2 * window_s_ + 1;
  return gone_at > now_unix_s ? gone_at - now_unix_s : 0;
}

}  // namespace bc::tracker
