// Remembers (node, nonce) pairs seen within the signature skew window so a
// captured signed request cannot be replayed.
//
// The window. A signed request carries its own Unix time T; the tracker
// accepts it only while |T - now| <= max_clock_skew_s (default 300 s), so a
// request is valid for at most 2 * max_clock_skew_s of tracker time (from
// T - skew to T + skew). A nonce is remembered for 2 * window_s after it was
// first seen, which covers every moment the same signed bytes could still
// pass the time check. Clock skew: a node whose clock is off by less than
// the skew is served as usual; off by more, every request it signs is
// refused with the measured offset in the message ("X-BC-Time is N s away
// from the tracker's clock"), so the operator fixes NTP; nothing is
// remembered for requests refused on time.
//
// Fails closed. Each partition (an enrolled node, or the one shared
// partition of every not-yet-enrolled key) holds at most the limit the
// caller gives for it, and the cache at most max_entries in all. When a partition (or the
// whole cache) is full, the request is refused (`full`), never recorded by
// forgetting an older nonce: forgetting would let a captured request be
// replayed inside the window. So one node's flood fills only its own share
// (it is refused until its nonces age out) and cannot evict another node's
// nonces; a flood of enrollment attempts from fresh keys fills only the
// shared unenrolled partition. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

namespace bc::tracker {

class ReplayCache {
 public:
  enum class Outcome { fresh, replayed, full };

  // window_s: the skew window; nonces are kept 2 * window_s.
  // REQUIRES: max_entries > 0.
  ReplayCache(int64_t window_s, size_t max_entries);

  // Records (partition, nonce) at now_unix_s unless already seen within the
  // window (replayed), or the partition holds partition_limit nonces or the
  // cache max_entries (full).
  Outcome check_and_insert(const std::string& partition, const std::string& nonce, int64_t now_unix_s,
                           size_t partition_limit);
  // Whether (partition, nonce) was recorded within the window; records nothing.
  bool seen(const std::string& partition, const std::string& nonce, int64_t now_unix_s) const;
  size_t size() const;
  size_t size_of(const std::string& partition) const;
  // Requests refused because a partition or the cache was full.
  uint64_t refused_full() const;
  // How long until the oldest nonce of `partition` is forgotten (0 when empty).
  int64_t retry_after_s(const std::string& partition, int64_t now_unix_s) const;

 private:
  struct Partition {
    std::unordered_map<std::string, int64_t> seen;  // nonce -> when first seen
    std::multimap<int64_t, std::string> by_time;
  };
  void expire(Partition& p, int64_t now_unix_s);

  int64_t window_s_;
  size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Partition> parts_;
  size_t total_ = 0;
  uint64_t refused_full_ = 0;
  int64_t last_sweep_s_ = 0;
};

}  // namespace bc::tracker
