// A bounded log-linear histogram of non-negative durations in nanoseconds, for
// percentiles of queue delay and timer lateness without keeping every sample.
// Relative error of a reported percentile is below 1% (128 sub-buckets per
// power of two); values at or above 2^40 ns (~18 min) land in the last bucket.
#pragma once

#include <array>
#include <cstdint>

namespace bc::netsim {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 7;
  static constexpr int kMaxExponent = 40;
  static constexpr std::size_t kBuckets = (kMaxExponent - kSubBits + 1) * (1u << kSubBits) + (1u << kSubBits);

  // Negative values count as 0.
  void add(std::int64_t value_ns);
  void clear();

  std::uint64_t count() const { return count_; }
  std::int64_t min_ns() const { return count_ ? min_ns_ : 0; }
  std::int64_t max_ns() const { return max_ns_; }
  double mean_ns() const { return count_ ? static_cast<double>(sum_ns_) / static_cast<double>(count_) : 0.0; }
  // The value below which a fraction `q` in [0, 1] of samples lie (bucket midpoint,
  // clamped to [min, max]). 0 when empty.
  std::int64_t percentile_ns(double q) const;

 private:
  static std::size_t index_of(std::uint64_t v);
  static std::uint64_t lower_bound_of(std::size_t index);

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::int64_t min_ns_ = 0;
  std::int64_t max_ns_ = 0;
  __int128 sum_ns_ = 0;
};

}  // namespace bc::netsim
