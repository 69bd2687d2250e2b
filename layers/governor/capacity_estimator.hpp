// Link capacity estimate for percentage caps: the highest *sustained*
// throughput this node achieved while the queuing delay was at or under
// 1.5 x target (so the link carried it without hurting anyone), kept as a
// windowed maximum of per-bucket maxima. Sustained = an EWMA of the per-tick
// throughput with a time constant of sustain_ms, so a burst does not count.
//
// What it measures is this node's share when others load the link too, and
// only what the caps let it try: a lower bound of the link capacity. Percent
// caps therefore prefer the capacity declared in the policy; the estimate is
// the fallback. Pure; time is passed in. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace bc::governor {

struct CapacityEstimatorOptions {
  int64_t sustain_ms = 2'000;      // EWMA time constant of the throughput; default 2 s
  int64_t bucket_ms = 360'000;     // one bucket of maxima; default 6 min
  int buckets = 10;                // window = buckets x bucket_ms; default 1 h
  double near_target_factor = 1.5; // accept while queuing delay <= this x target; default 1.5
};

class CapacityEstimator {
 public:
  explicit CapacityEstimator(CapacityEstimatorOptions opts = {});

  // One governor tick: `bytes` moved in `dt_ms` ending at `now_ms`. The queuing
  // delay (nullopt when unknown) decides whether the tick can count.
  void on_tick(int64_t now_ms, int64_t dt_ms, int64_t bytes, std::optional<double> queuing_delay_ms,
               double target_delay_ms);

  // Bytes/s; 0 while nothing has been measured.
  int64_t estimate_bytes_per_s() const;

 private:
  struct Bucket {
    int64_t index;
    double max_bytes_per_s;
  };
  CapacityEstimatorOptions opts_;
  double ewma_bytes_per_s_ = 0;
  int64_t sustained_ms_ = 0;  // how long the EWMA has been fed without a gap
  std::deque<Bucket> buckets_;  // at most opts_.buckets
};

}  // namespace bc::governor
