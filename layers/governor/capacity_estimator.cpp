#include "layers/governor/capacity_estimator.hpp"

#include <algorithm>
#include <cmath>

namespace bc::governor {

CapacityEstimator::CapacityEstimator(CapacityEstimatorOptions opts) : opts_(opts) {}

void CapacityEstimator::on_tick(int64_t now_ms, int64_t dt_ms, int64_t bytes,
                                std::optional<double> queuing_delay_ms, double target_delay_ms) {
  if (dt_ms <= 0 || bytes < 0) return;
  // A gap longer than the time constant restarts the average: it says nothing
  // about what the link sustains now.
  if (dt_ms > opts_.sustain_ms) {
    ewma_bytes_per_s_ = 0;
    sustained_ms_ = 0;
    return;
  }
  double rate = double(bytes) * 1000.0 / double(dt_ms);
  double alpha = 1.0 - std::exp(-double(dt_ms) / double(opts_.sustain_ms));
  ewma_bytes_per_s_ += alpha * (rate - ewma_bytes_per_s_);
  sustained_ms_ += dt_ms;
  bool acceptable = queuing_delay_ms && *queuing_delay_ms <= opts_.near_target_factor * target_delay_ms;
  if (!acceptable || sustained_ms_ < opts_.sustain_ms) return;

  int64_t index = std::max<int64_t>(0, now_ms) / opts_.bucket_ms;
  if (!buckets_.empty() && index <= buckets_.back().index) {
    buckets_.back().max_bytes_per_s = std::max(buckets_.back().max_bytes_per_s, ewma_bytes_per_s_);
  } else {
    buckets_.push_back({index, ewma_bytes_per_s_});
  }
  while (!buckets_.empty() && buckets_.front().index <= index - opts_.buckets) buckets_.pop_front();
}

int64_t CapacityEstimator::estimate_bytes_per_s() const {
  double m = 0;
  for (const auto& b : buckets_) m = std::max(m, b.max_bytes_per_s);
  return int64_t(m);
}

}  // namespace bc::governor
