#include "netsim/wanem/link_options.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace bc::netsim {

Status LinkOptions::validate() const {
  if (rate_bytes_per_s < 1000 || rate_bytes_per_s > kMaxRateBytesPerS) {
    return Status::invalid_argument("link rate " + std::to_string(rate_bytes_per_s) +
                                    " B/s is outside [1000, " + std::to_string(kMaxRateBytesPerS) + "]");
  }
  if (delay_us > kMaxDelayUs) {
    return Status::invalid_argument("link delay " + std::to_string(delay_us) + " us exceeds " +
                                    std::to_string(kMaxDelayUs));
  }
  if (mtu_bytes < 68 || mtu_bytes > kMaxMtuBytes) {
    return Status::invalid_argument("link mtu " + std::to_string(mtu_bytes) + " is outside [68, " +
                                    std::to_string(kMaxMtuBytes) + "]");
  }
  if (queue_limit_bytes < mtu_bytes || queue_limit_bytes > kMaxQueueLimitBytes) {
    return Status::invalid_argument("queue limit " + std::to_string(queue_limit_bytes) +
                                    " B must hold one MTU (" + std::to_string(mtu_bytes) +
                                    ") and be at most " + std::to_string(kMaxQueueLimitBytes));
  }
  if (!(loss_probability >= 0.0 && loss_probability < 1.0)) {
    return Status::invalid_argument("loss probability " + std::to_string(loss_probability) +
                                    " is outside [0, 1)");
  }
  if (max_delay_line_packets == 0 || max_delay_line_packets > kMaxDelayLinePackets) {
    return Status::invalid_argument("max_delay_line_packets must be in [1, " +
                                    std::to_string(kMaxDelayLinePackets) + "]");
  }
  return Status();
}

std::uint64_t bytes_for_ms(std::uint64_t rate_bytes_per_s, double ms) {
  return static_cast<std::uint64_t>(std::llround(static_cast<double>(rate_bytes_per_s) * ms / 1000.0));
}

std::uint64_t mbit_to_bytes_per_s(double mbit_per_s) {
  return static_cast<std::uint64_t>(std::llround(mbit_per_s * 1e6 / 8.0));
}

LinkOptions quoted_link(double rate_mbit, double delay_ms, double queue_ms, double loss) {
  LinkOptions o;
  o.rate_bytes_per_s = mbit_to_bytes_per_s(rate_mbit);
  o.delay_us = static_cast<std::uint64_t>(std::llround(delay_ms * 1000));
  o.queue_limit_bytes = std::max<std::uint64_t>(bytes_for_ms(o.rate_bytes_per_s, queue_ms), o.mtu_bytes);
  o.loss_probability = loss;
  return o;
}

}  // namespace bc::netsim
