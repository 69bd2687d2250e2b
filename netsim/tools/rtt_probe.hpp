// A ping-like UDP echo through an emulated link: the client sends small
// timestamped probes at a fixed interval, an echo server in the far
// namespace returns them, and the client records each round-trip time.
#pragma once

#include <cstdint>
#include <string>

#include "layers/util/status.hpp"
#include <vector>

namespace bc::netsim {

struct RttProbeOptions {
  std::string client_ns;
  std::string client_addr;
  std::string server_ns;
  std::string server_addr;
  // Echo server port. Default 5202.
  std::uint16_t port = 5202;
  // Probes sent. Default 500. REQUIRES 1..100000.
  int count = 500;
  // Interval between probes, microseconds. Default 2000.
  int interval_us = 2000;
  // IP packet size of a probe. Default 100.
  std::uint32_t packet_bytes = 100;
  // How long to wait for the last replies after the last probe, ms. Default 2000.
  int drain_ms = 2000;
  // SCHED_FIFO priority of the probe threads (client receiver, echo server), 0 = normal.
  int realtime_priority = 0;

  Status validate() const;
};

// Every sample is kept (count is bounded by RttProbeOptions::count) so the
// percentiles are exact: a histogram bucket at 20 ms would be 130 us wide.
struct RttResult {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::vector<std::int64_t> rtt_ns;  // sorted ascending

  // The q-quantile (nearest rank) of the RTTs; 0 when none arrived.
  std::int64_t percentile_ns(double q) const;
  std::int64_t min_ns() const { return rtt_ns.empty() ? 0 : rtt_ns.front(); }
  std::int64_t max_ns() const { return rtt_ns.empty() ? 0 : rtt_ns.back(); }
};

Result<RttResult> run_rtt_probe(const RttProbeOptions& options);

}  // namespace bc::netsim
