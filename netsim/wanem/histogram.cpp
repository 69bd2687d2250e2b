#include "netsim/wanem/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace bc::netsim {

namespace {
constexpr std::uint64_t kSub = 1u << LatencyHistogram::kSubBits;
}

std::size_t LatencyHistogram::index_of(std::uint64_t v) {
  if (v < kSub) return static_cast<std::size_t>(v);
  int e = std::bit_width(v) - 1;  // v in [2^e, 2^(e+1))
  if (e > kMaxExponent) return kBuckets - 1;
  std::uint64_t sub = (v >> (e - kSubBits)) & (kSub - 1);
  return static_cast<std::size_t>((e - kSubBits + 1) * kSub + sub);
}

std::uint64_t LatencyHistogram::lower_bound_of(std::size_t index) {
  if (index < kSub) return index;
  std::uint64_t octave = index / kSub;  // >= 1
  std::uint64_t sub = index % kSub;
  int e = static_cast<int>(octave) + kSubBits - 1;
  return (std::uint64_t{1} << e) + (sub << (e - kSubBits));
}

void LatencyHistogram::add(std::int64_t value_ns) {
  std::int64_t v = std::max<std::int64_t>(value_ns, 0);
  buckets_[index_of(static_cast<std::uint64_t>(v))]++;
  if (count_ == 0 || v < min_ns_) min_ns_ = v;
  if (v > max_ns_) max_ns_ = v;
  sum_ns_ += v;
  count_++;
}

void LatencyHistogram::clear() { *this = LatencyHistogram(); }

std::int64_t LatencyHistogram::percentile_ns(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      std::uint64_t lo = lower_bound_of(i);
      std::uint64_t hi = (i + 1 < kBuckets) ? lower_bound_of(i + 1) : lo + 1;
      auto mid = static_cast<std::int64_t>(lo + (hi - lo) / 2);
      return std::clamp(mid, min_ns_, max_ns_);
    }
  }
  return max_ns_;
}

}  // namespace bc::netsim
