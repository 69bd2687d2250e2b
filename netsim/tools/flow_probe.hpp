// Measurement flows through an emulated link, for checking the emulator
// against its configuration: a paced UDP flow and a bulk TCP flow, each
// measuring the rate delivered at the receiver over a steady window.
// Rates are in IP bytes per second (what the link emulator serializes), so a
// UDP datagram of N payload bytes counts N + 28 and a TCP segment counts its
// payload plus 40 bytes of headers (+12 with timestamps).
#pragma once

#include <cstdint>
#include <string>

#include "layers/util/status.hpp"

namespace bc::netsim {

inline constexpr std::size_t kMaxFlowSamples = 1u << 20;

struct FlowOptions {
  std::string sender_ns;
  std::string sender_addr;
  std::string receiver_ns;
  std::string receiver_addr;
  // Receiver's port. Default 5201.
  std::uint16_t port = 5201;
  // UDP only: offered load in IP bytes/s (pace above the link rate to saturate it).
  std::uint64_t offered_rate_bytes_per_s = 1'250'000;
  // UDP only: IP packet size in bytes (payload = size - 28). Default 1500.
  std::uint32_t packet_bytes = 1500;
  // How long the sender sends, ms. Default 2000.
  int duration_ms = 2000;
  // Arrivals in the first warmup_ms after the first one are left out of the
  // rate (queue fill, slow start). Default 300.
  int warmup_ms = 300;
  // SCHED_FIFO priority of the receiving thread, 0 = normal. Default 0.
  int realtime_priority = 0;

  Status validate() const;
};

struct FlowResult {
  std::uint64_t packets_sent = 0;      // UDP datagrams (TCP: 0)
  std::uint64_t packets_received = 0;  // UDP datagrams (TCP: reads)
  std::uint64_t bytes_received = 0;    // IP bytes (TCP: payload converted to IP bytes)
  double window_s = 0;                 // the steady window the rate is measured over
  double delivered_rate_bytes_per_s = 0;
  std::uint32_t tcp_mss = 0;           // TCP payload bytes per segment
};

Result<FlowResult> run_udp_flow(const FlowOptions& options);
Result<FlowResult> run_tcp_flow(const FlowOptions& options);

// Puts the calling thread in SCHED_FIFO at `priority` (no-op for 0).
Status set_realtime(int priority);

}  // namespace bc::netsim
