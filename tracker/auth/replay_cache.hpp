// Remembers (node, nonce) pairs seen within the signature skew window so a
// captured signed request cannot be replayed. Bounded: when full, the oldest
// entries are dropped early (counted) — a replay then needs to be older than
// max_entries newer requests, and is still bounded by the skew window.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace bc::tracker {

class ReplayCache {
 public:
  // window_s: how long a nonce is remembered (the skew window, both sides).
  ReplayCache(int64_t window_s, size_t max_entries);
  // False when (node, nonce) was already seen within the window; records it otherwise.
  bool check_and_insert(const std::string& node, const std::string& nonce, int64_t now_unix_s);
  size_t size() const;
  uint64_t evicted_early() const;

 private:
  void expire(int64_t now_unix_s);
  int64_t window_s_;
  size_t max_entries_;
  mutable std::mutex mu_;
  std::set<std::string> seen_;
  std::multimap<int64_t, std::string> by_time_;
  uint64_t evicted_early_ = 0;
};

}  // namespace bc::tracker
