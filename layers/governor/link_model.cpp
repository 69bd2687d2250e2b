#include "layers/governor/link_model.hpp"

#include <cmath>
#include <numeric>

namespace bc::governor {

BottleneckLink::BottleneckLink(BottleneckLinkOptions opts, size_t flows)
    : opts_(opts), queue_(flows, 0), delivered_(flows, 0), losses_(flows, 0), rng_(opts.seed) {}

double BottleneckLink::queue_total() const { return std::accumulate(queue_.begin(), queue_.end(), 0.0); }

void BottleneckLink::step(double dt_ms, std::span<const double> offered) {
  double dt_s = dt_ms / 1000.0;
  size_t n = queue_.size();
  std::vector<double> arrive(n);
  double total = 0, arrivals = 0;
  for (size_t i = 0; i < n; ++i) {
    arrive[i] = std::max(0.0, offered[i]) * dt_s;
    arrivals += arrive[i];
    total += queue_[i] + arrive[i];
  }
  double served = std::min(total, opts_.capacity_bytes_per_s * dt_s);
  for (size_t i = 0; i < n && total > 0; ++i) {
    double out = served * (queue_[i] + arrive[i]) / total;
    queue_[i] += arrive[i] - out;
    delivered_[i] += out;
    if (opts_.random_loss_per_packet > 0 && out > 0) {
      double p_any = 1.0 - std::pow(1.0 - opts_.random_loss_per_packet, out / opts_.packet_bytes);
      if (rng_.unit() < p_any) ++losses_[i];
    }
  }
  double limit = opts_.buffer_ms / 1000.0 * opts_.capacity_bytes_per_s;
  double excess = queue_total() - limit;
  if (excess > 0 && arrivals > 0) {
    for (size_t i = 0; i < n; ++i) {
      double drop = std::min(queue_[i], excess * arrive[i] / arrivals);
      queue_[i] -= drop;
      if (drop > 0) ++losses_[i];
    }
  }
}

double BottleneckLink::take_delivered(size_t i) {
  double d = delivered_[i];
  delivered_[i] = 0;
  return d;
}

int64_t BottleneckLink::take_losses(size_t i) {
  int64_t l = losses_[i];
  losses_[i] = 0;
  return l;
}

}  // namespace bc::governor
