// Per-source token buckets for the echo responder, sans-IO (time is passed
// in). Each source address gets `replies_per_s` with bursts of `burst`; the
// table holds at most `max_sources` addresses and evicts the least recently
// seen one when full (an evicted source starts again with a full bucket, so a
// flood of spoofed sources is bounded by `max_total_replies_per_s` instead).
// Not thread-safe: one owner.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>

#include "layers/util/status.hpp"

namespace bc::rtt_probe {

struct SourceRateLimiterOptions {
  // Replies per second one source address may get; default 200 (20 probers at
  // the default 100 ms interval behind one NAT address). 0 refuses everything.
  double replies_per_s = 200.0;
  // Bucket depth per source, replies; default 50.
  double burst = 50.0;
  // Replies per second over all sources together; default 20000. 0 refuses everything.
  double max_total_replies_per_s = 20000.0;
  // Source addresses tracked at once; LRU eviction beyond; default 4096.
  size_t max_sources = 4096;
  Status validate() const;
};

// An address as 16 bytes (IPv4 in the first 4) plus its family.
struct SourceKey {
  std::array<uint8_t, 16> bytes{};
  bool v6 = false;
  friend bool operator==(const SourceKey&, const SourceKey&) = default;
};

class SourceRateLimiter {
 public:
  // REQUIRES: options.validate().ok()
  explicit SourceRateLimiter(SourceRateLimiterOptions options);

  // Takes one token for `source` at time `now_us` (monotonic). False when the
  // source's bucket or the global bucket is empty: drop the request.
  bool allow(const SourceKey& source, int64_t now_us);

  size_t tracked_sources() const { return lru_.size(); }
  uint64_t evictions() const { return evictions_; }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_us = 0;
  };
  struct Entry {
    SourceKey key;
    Bucket bucket;
  };
  struct KeyHash {
    size_t operator()(const SourceKey& k) const;
  };
  static bool take(Bucket& b, double rate_per_s, double depth, int64_t now_us);

  SourceRateLimiterOptions options_;
  Bucket total_;
  std::list<Entry> lru_;  // most recently seen first
  std::unordered_map<SourceKey, std::list<Entry>::iterator, KeyHash> index_;
  uint64_t evictions_ = 0;
};

}  // namespace bc::rtt_probe
