// The prober's logic without sockets or clocks: when to send the next probe,
// which probes are in flight, matching replies by sequence, timeouts, and the
// samples a WAN governor tick drains. Time is the prober's monotonic clock in
// µs, passed in by the driver (RttProber) or a test. Not thread-safe: one owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "layers/rtt_probe/probe_codec.hpp"
#include "layers/util/status.hpp"

namespace bc::rtt_probe {

struct ProbeSessionOptions {
  int64_t interval_ms = 100;               // time between probes, ms; default 100
  int64_t timeout_ms = 1000;               // unanswered this long = lost, ms; default 1000
  size_t probe_bytes = kProbeHeaderBytes;  // datagram size, bytes; default 24 (header only)
  // Probes awaiting a reply at once; a probe due while the table is full is
  // not sent (counted as skipped). Default 64 (>= timeout / interval).
  size_t max_in_flight = 64;
  // Samples held between drains; more are dropped and counted. Default 4096.
  size_t max_pending_samples = 4096;
  uint64_t probe_count = 0;     // stop after this many attempts; 0 = never stop; default 0
  uint64_t first_sequence = 1;  // sequence of the first probe; default 1
  Status validate() const;
};

// One answered probe, as a governor tick consumes it.
struct RttSample {
  double rtt_ms = 0;       // round trip on the prober's clock, ms (µs resolution)
  int64_t sent_at_ms = 0;  // when the probe left, prober's monotonic clock, ms
};

// What happened since the previous drain.
struct ProbeBatch {
  std::vector<RttSample> samples;  // answered probes, in reply order
  uint64_t sent = 0;               // probes sent
  uint64_t lost = 0;               // probes that timed out
  uint64_t late = 0;               // replies that came after their probe timed out (ignored)
};

// Totals since the session started.
struct ProbeCounters {
  uint64_t sent = 0;
  uint64_t answered = 0;
  uint64_t lost = 0;
  uint64_t late = 0;
  uint64_t duplicate = 0;    // a second reply to an answered probe
  uint64_t unmatched = 0;    // well-formed but not a reply to a probe of ours
  uint64_t malformed = 0;    // not a probe datagram at all
  uint64_t skipped_full = 0; // probes not sent because max_in_flight were outstanding
  uint64_t send_errors = 0;  // probes the socket refused (cancel_last_send): neither sent nor lost
  uint64_t samples_dropped = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  size_t in_flight = 0;
  double min_rtt_ms = 0;     // smallest RTT seen (for logs); 0 before the first sample
};

class ProbeSession {
 public:
  // REQUIRES: options.validate().ok()
  explicit ProbeSession(ProbeSessionOptions options);

  // If a probe is due at `now_us`, writes it into `out` (>= probe_bytes),
  // records it in flight and returns its size; nullopt when nothing is due.
  // Expires timed-out probes first.
  std::optional<size_t> poll_send(int64_t now_us, std::span<uint8_t> out);
  // Undoes the last poll_send when the socket refused the datagram: the
  // probe is forgotten (neither sent nor lost) and counted in send_errors.
  void cancel_last_send();
  // Counts every in-flight probe older than timeout_ms as lost.
  void expire(int64_t now_us);
  // A datagram that arrived on the probe socket at `now_us`.
  void on_datagram(std::span<const uint8_t> datagram, int64_t now_us);

  // When the driver should call poll_send/expire next (µs); INT64_MAX when
  // nothing is pending (finished).
  int64_t next_wakeup_us() const;
  // probe_count probes were attempted (sent, or refused by the socket) and
  // each one sent was answered or timed out.
  bool finished() const;

  // Samples and counts since the previous call.
  ProbeBatch drain();
  ProbeCounters counters() const;

 private:
  struct Lost {
    uint64_t sequence;
    uint64_t sent_us;
  };
  void record_lost(uint64_t sequence, uint64_t sent_us);
  bool all_attempted() const;

  ProbeSessionOptions options_;
  std::optional<int64_t> next_send_us_;  // unset until the first poll
  uint64_t next_sequence_;
  std::map<uint64_t, uint64_t> in_flight_;  // sequence -> sent_us; bounded by max_in_flight
  std::deque<Lost> recently_lost_;          // bounded by max_in_flight, to recognise late replies
  ProbeBatch batch_;
  ProbeCounters counters_;
};

}  // namespace bc::rtt_probe
