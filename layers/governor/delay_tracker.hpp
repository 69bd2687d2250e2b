// Base and current delay for the WAN governor (RFC 6817 §3.4.2): the base
// delay is the minimum RTT over a window of per-bucket minima (default twenty
// 30-second buckets = RFC 6817's ten minutes); the current delay is the minimum of the last few samples.
// Queuing delay = current - base. Pure; time is passed in. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace bc::governor {

struct DelayTrackerOptions {
  int64_t bucket_ms = 30'000;          // length of one base-history bucket; default 30 s
  int buckets = 20;                    // history = buckets x bucket_ms; default 20 (10 min, RFC 6817)
  int current_filter_samples = 4;      // current delay = min of this many last samples; default 4
  int route_change_buckets = 2;        // complete buckets that must all sit high; default 2
  double route_change_threshold_ms = 10;  // "high" = above the older base by more than this; default 10 ms
  double max_rtt_ms = 60'000;          // samples <= 0 or above this are ignored; default 60 s
};

class DelayTracker {
 public:
  explicit DelayTracker(DelayTrackerOptions opts = {});

  // Adds one RTT sample taken at `now_ms` (monotonic). Returns true when the
  // sample closed a bucket and the route-change rule replaced the base (see
  // docs/architecture.md "WAN governor"). Invalid samples are ignored.
  bool add_sample(int64_t now_ms, double rtt_ms);

  std::optional<double> base_ms() const;
  std::optional<double> current_ms() const;
  // current - base, >= 0; nullopt before the first sample.
  std::optional<double> queuing_delay_ms() const;
  // Forgets the current-delay filter (kept: base history). Used when a
  // slowdown ends so the next decision sees only fresh samples.
  void reset_current() { recent_.clear(); }

 private:
  struct Bucket {
    int64_t index;
    double min_ms;
  };
  bool check_route_change(int64_t new_index);

  DelayTrackerOptions opts_;
  std::deque<Bucket> buckets_;   // ascending index, at most opts_.buckets
  std::deque<double> recent_;    // at most opts_.current_filter_samples
};

}  // namespace bc::governor
