// The pure core of one direction of the WAN link emulator: a rate limiter
// (each packet occupies the link for size/rate), a bounded FIFO in front of it
// that tail-drops, a constant propagation delay after it, and seeded random
// loss on arrival. Driven by the caller's clock (nanoseconds on any monotonic
// timeline); holds no sockets, timers or threads, so tests run it in virtual time.
//
// Model: a packet arriving at t is lost with probability p; otherwise, if the
// bytes still waiting or being serialized plus its size exceed the queue
// limit, it is tail-dropped; otherwise it starts serializing at
// max(t, end of the previous packet), ends size/rate later, and is due for
// delivery `delay` after that. Packets leave in arrival order.
//
// Thread affinity: none; not thread-safe (one owner drives it).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "netsim/wanem/histogram.hpp"
#include "netsim/wanem/link_options.hpp"

namespace bc::netsim {

using PacketBytes = std::vector<std::uint8_t>;

// A packet leaving the link and the time it was due (for lateness stats).
struct Departure {
  PacketBytes bytes;
  std::int64_t due_ns = 0;
};

struct LinkCounters {
  std::uint64_t packets_in = 0;   // offered to the link
  std::uint64_t bytes_in = 0;
  std::uint64_t packets_out = 0;  // handed back by take_due
  std::uint64_t bytes_out = 0;
  std::uint64_t dropped_queue_full = 0;  // tail drops
  std::uint64_t dropped_queue_full_bytes = 0;
  std::uint64_t dropped_loss = 0;        // random loss
  std::uint64_t dropped_oversize = 0;    // larger than the MTU
  std::uint64_t dropped_delay_line = 0;  // delay line at its packet limit
};

class LinkScheduler {
 public:
  enum class Verdict { queued, dropped_queue_full, dropped_loss, dropped_oversize, dropped_delay_line };

  // REQUIRES: options.validate().ok()
  explicit LinkScheduler(const LinkOptions& options);

  // Offers a packet arriving at now_ns. REQUIRES: now_ns never decreases
  // across calls to offer/take_due/backlog_bytes.
  // `marked`: the packet belongs to the cross traffic; its queue delay is
  // also kept apart (take_interval_marked_delays_ms), so a report can say
  // what queuing delay the cross traffic itself saw, and so is what the rest
  // of the traffic added to it (take_interval_marked_added_ms): its delay
  // minus the delay it would have had in a queue of the marked packets alone
  // at the same rate (a shadow FIFO fed only with them; in a work-conserving
  // FIFO more work never makes a packet leave earlier, so this is >= 0).
  Verdict offer(std::int64_t now_ns, PacketBytes packet, bool marked = false);

  // Appends to `out`, in order, every packet due at or before now_ns; returns
  // how many were appended.
  std::size_t take_due(std::int64_t now_ns, std::vector<Departure>& out);

  // When the next packet becomes due, or nullopt when the link is empty.
  std::optional<std::int64_t> next_due_ns() const;

  // Bytes in the FIFO (waiting or being serialized) at now_ns.
  std::uint64_t backlog_bytes(std::int64_t now_ns);
  // Packets anywhere in the link (FIFO or delay line).
  std::size_t packets_in_flight() const { return queue_.size() + delay_line_.size(); }

  const LinkCounters& counters() const { return counters_; }
  const LinkOptions& options() const { return options_; }
  // Time from arrival to start of serialization, one sample per queued packet.
  const LatencyHistogram& queue_delay() const { return queue_delay_; }
  // The largest queue delay since the last call (for time series); resets it.
  std::int64_t take_interval_max_queue_delay_ns();
  // The mean queue delay of packets queued since the last call (0 when none); resets it.
  std::int64_t take_interval_mean_queue_delay_ns();
  // Queue delays of the marked packets queued since the last call, as
  // {whole ms, packets} in ascending ms (at most kMaxMarkedDelayMs; longer
  // ones count there); resets it.
  std::vector<std::pair<std::int32_t, std::uint32_t>> take_interval_marked_delays_ms();
  // The same for the delay the unmarked traffic added to the marked packets
  // (see offer); resets it.
  std::vector<std::pair<std::int32_t, std::uint32_t>> take_interval_marked_added_ms();
  static constexpr std::int32_t kMaxMarkedDelayMs = 10'000;

 private:
  struct Queued {
    PacketBytes bytes;
    std::int64_t finish_ns;  // end of serialization
  };
  struct InFlight {
    PacketBytes bytes;
    std::int64_t due_ns;
  };

  void retire_serialized(std::int64_t now_ns);
  bool lose();
  std::int64_t serialization_ns(std::size_t bytes);

  LinkOptions options_;
  std::mt19937_64 rng_;
  std::deque<Queued> queue_;
  std::deque<InFlight> delay_line_;
  std::uint64_t queue_bytes_ = 0;
  std::int64_t link_free_ns_ = INT64_MIN;  // when the last queued packet finishes
  std::uint64_t carry_ = 0;                // remainder of bytes*1e9/rate, for exact rates
  LinkCounters counters_;
  LatencyHistogram queue_delay_;
  std::int64_t interval_max_queue_delay_ns_ = 0;
  std::int64_t interval_sum_queue_delay_ns_ = 0;
  std::int64_t interval_queued_packets_ = 0;
  std::map<std::int32_t, std::uint32_t> interval_marked_ms_;  // bounded: <= kMaxMarkedDelayMs + 1 keys
  std::map<std::int32_t, std::uint32_t> interval_marked_added_ms_;  // likewise
  std::int64_t shadow_free_ns_ = INT64_MIN;  // the marked-only FIFO: when its last packet finishes
};

}  // namespace bc::netsim
