#include "netsim/wanem/link_scheduler.hpp"

#include <algorithm>
#include <cassert>

namespace bc::netsim {

LinkScheduler::LinkScheduler(const LinkOptions& options) : options_(options), rng_(options.seed) {
  assert(options.validate().ok());
}

bool LinkScheduler::lose() {
  if (options_.loss_probability <= 0.0) return false;
  // 53 random bits to a double in [0, 1): the same on every standard library.
  double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
  return u < options_.loss_probability;
}

std::int64_t LinkScheduler::serialization_ns(std::size_t bytes) {
  // bytes * 1e9 / rate with the remainder carried to the next packet, so a
  // long busy period is exact to the nanosecond whatever the packet sizes.
  std::uint64_t numerator = static_cast<std::uint64_t>(bytes) * 1'000'000'000ull + carry_;
  carry_ = numerator % options_.rate_bytes_per_s;
  return static_cast<std::int64_t>(numerator / options_.rate_bytes_per_s);
}

void LinkScheduler::retire_serialized(std::int64_t now_ns) {
  const auto delay_ns = static_cast<std::int64_t>(options_.delay_us) * 1000;
  while (!queue_.empty() && queue_.front().finish_ns <= now_ns) {
    Queued& q = queue_.front();
    queue_bytes_ -= q.bytes.size();
    delay_line_.push_back(InFlight{std::move(q.bytes), q.finish_ns + delay_ns});
    queue_.pop_front();
  }
}

LinkScheduler::Verdict LinkScheduler::offer(std::int64_t now_ns, PacketBytes packet, bool marked) {
  counters_.packets_in++;
  counters_.bytes_in += packet.size();
  if (packet.size() > options_.mtu_bytes || packet.empty()) {
    counters_.dropped_oversize++;
    return Verdict::dropped_oversize;
  }
  if (lose()) {
    counters_.dropped_loss++;
    return Verdict::dropped_loss;
  }
  retire_serialized(now_ns);
  if (queue_bytes_ + packet.size() > options_.queue_limit_bytes) {
    counters_.dropped_queue_full++;
    counters_.dropped_queue_full_bytes += packet.size();
    return Verdict::dropped_queue_full;
  }
  if (packets_in_flight() >= options_.max_delay_line_packets) {
    counters_.dropped_delay_line++;
    return Verdict::dropped_delay_line;
  }
  if (link_free_ns_ <= now_ns) carry_ = 0;  // idle link: a new busy period starts now
  const std::int64_t start_ns = std::max(now_ns, link_free_ns_);
  const std::int64_t finish_ns = start_ns + serialization_ns(packet.size());
  const std::int64_t waited_ns = start_ns - now_ns;
  queue_delay_.add(waited_ns);
  interval_max_queue_delay_ns_ = std::max(interval_max_queue_delay_ns_, waited_ns);
  interval_sum_queue_delay_ns_ += waited_ns;
  interval_queued_packets_++;
  if (marked) {
    auto bucket = [](std::int64_t ns) { return std::int32_t(std::min<std::int64_t>(ns / 1'000'000, kMaxMarkedDelayMs)); };
    interval_marked_ms_[bucket(waited_ns)]++;
    const std::int64_t alone_start_ns = std::max(now_ns, shadow_free_ns_);
    shadow_free_ns_ = alone_start_ns + static_cast<std::int64_t>(static_cast<std::uint64_t>(packet.size()) *
                                                                   1'000'000'000ull / options_.rate_bytes_per_s);
    interval_marked_added_ms_[bucket(std::max<std::int64_t>(0, waited_ns - (alone_start_ns - now_ns)))]++;
  }
  link_free_ns_ = finish_ns;
  queue_bytes_ += packet.size();
  queue_.push_back(Queued{std::move(packet), finish_ns});
  return Verdict::queued;
}

std::size_t LinkScheduler::take_due(std::int64_t now_ns, std::vector<Departure>& out) {
  retire_serialized(now_ns);
  std::size_t n = 0;
  while (!delay_line_.empty() && delay_line_.front().due_ns <= now_ns) {
    counters_.packets_out++;
    counters_.bytes_out += delay_line_.front().bytes.size();
    out.push_back(Departure{std::move(delay_line_.front().bytes), delay_line_.front().due_ns});
    delay_line_.pop_front();
    ++n;
  }
  return n;
}

std::optional<std::int64_t> LinkScheduler::next_due_ns() const {
  if (!delay_line_.empty()) return delay_line_.front().due_ns;
  if (!queue_.empty()) return queue_.front().finish_ns + static_cast<std::int64_t>(options_.delay_us) * 1000;
  return std::nullopt;
}

std::uint64_t LinkScheduler::backlog_bytes(std::int64_t now_ns) {
  retire_serialized(now_ns);
  return queue_bytes_;
}

std::int64_t LinkScheduler::take_interval_max_queue_delay_ns() {
  std::int64_t v = interval_max_queue_delay_ns_;
  interval_max_queue_delay_ns_ = 0;
  return v;
}

std::int64_t LinkScheduler::take_interval_mean_queue_delay_ns() {
  std::int64_t v = interval_queued_packets_ > 0 ? interval_sum_queue_delay_ns_ / interval_queued_packets_ : 0;
  interval_sum_queue_delay_ns_ = 0;
  interval_queued_packets_ = 0;
  return v;
}

std::vector<std::pair<std::int32_t, std::uint32_t>> LinkScheduler::take_interval_marked_delays_ms() {
  std::vector<std::pair<std::int32_t, std::uint32_t>> out(interval_marked_ms_.begin(), interval_marked_ms_.end());
  interval_marked_ms_.clear();
  return out;
}

std::vector<std::pair<std::int32_t, std::uint32_t>> LinkScheduler::take_interval_marked_added_ms() {
  std::vector<std::pair<std::int32_t, std::uint32_t>> out(interval_marked_added_ms_.begin(),
                                                          interval_marked_added_ms_.end());
  interval_marked_added_ms_.clear();
  return out;
}

}  // namespace bc::netsim
