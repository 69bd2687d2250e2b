#include "layers/governor/delay_tracker.hpp"

#include <algorithm>
#include <cmath>

namespace bc::governor {

DelayTracker::DelayTracker(DelayTrackerOptions opts) : opts_(opts) {}

bool DelayTracker::add_sample(int64_t now_ms, double rtt_ms) {
  if (!(rtt_ms > 0) || rtt_ms > opts_.max_rtt_ms || !std::isfinite(rtt_ms)) return false;
  recent_.push_back(rtt_ms);
  while (int(recent_.size()) > opts_.current_filter_samples) recent_.pop_front();

  int64_t index = now_ms >= 0 ? now_ms / opts_.bucket_ms : -((-now_ms + opts_.bucket_ms - 1) / opts_.bucket_ms);
  // A clock that steps back lands in the newest bucket: never reorder history.
  if (!buckets_.empty() && index <= buckets_.back().index) {
    buckets_.back().min_ms = std::min(buckets_.back().min_ms, rtt_ms);
    return false;
  }
  bool changed = check_route_change(index);
  buckets_.push_back({index, rtt_ms});
  // Expire by age, not by count, so a long gap forgets a stale base.
  while (!buckets_.empty() && buckets_.front().index <= index - opts_.buckets) buckets_.pop_front();
  return changed;
}

// Called when bucket `new_index` opens. If the last route_change_buckets
// complete buckets are consecutive and every one of their minima sits more than
// the threshold above the minimum of all older buckets, the path's base RTT has
// gone up (a route change): all but the newest complete bucket are dropped so
// the base follows now instead of after the whole window expires.
bool DelayTracker::check_route_change(int64_t new_index) {
  int k = opts_.route_change_buckets;
  if (k <= 0 || int(buckets_.size()) <= k) return false;
  size_t n = buckets_.size();
  if (buckets_.back().index != new_index - 1) return false;
  double recent_min = buckets_[n - 1].min_ms;
  for (int i = 1; i < k; ++i) {
    const Bucket& b = buckets_[n - 1 - i];
    if (b.index != buckets_[n - i].index - 1) return false;
    recent_min = std::min(recent_min, b.min_ms);
  }
  double older_min = buckets_.front().min_ms;
  for (size_t i = 0; i < n - size_t(k); ++i) older_min = std::min(older_min, buckets_[i].min_ms);
  if (recent_min <= older_min + opts_.route_change_threshold_ms) return false;
  // Keep only the newest complete bucket: an older one may straddle the change.
  buckets_.erase(buckets_.begin(), buckets_.begin() + std::ptrdiff_t(n - 1));
  return true;
}

std::optional<double> DelayTracker::base_ms() const {
  if (buckets_.empty()) return std::nullopt;
  double m = buckets_.front().min_ms;
  for (const auto& b : buckets_) m = std::min(m, b.min_ms);
  return m;
}

std::optional<double> DelayTracker::current_ms() const {
  if (recent_.empty()) return std::nullopt;
  return *std::min_element(recent_.begin(), recent_.end());
}

std::optional<double> DelayTracker::queuing_delay_ms() const {
  auto b = base_ms();
  auto c = current_ms();
  if (!b || !c) return std::nullopt;
  return std::max(0.0, *c - *b);
}

}  // namespace bc::governor
