// The configuration of one direction of an emulated WAN link.
#pragma once

#include <cstdint>

#include "layers/util/status.hpp"

namespace bc::netsim {

// Named limits: every queue and buffer of the emulator is bounded by these.
inline constexpr std::uint32_t kMaxMtuBytes = 9000;
inline constexpr std::uint64_t kMaxQueueLimitBytes = 256ull << 20;    // 256 MiB
inline constexpr std::uint64_t kMaxDelayUs = 10'000'000;              // 10 s one way
inline constexpr std::uint64_t kMaxRateBytesPerS = 1'250'000'000;     // 10 Gbit/s
inline constexpr std::uint32_t kMaxDelayLinePackets = 1u << 20;

struct LinkOptions {
  // Serialization rate of the link in bytes per second (IP packet bytes).
  // Default 1'250'000 (10 Mbit/s). REQUIRES 1000 <= rate <= kMaxRateBytesPerS.
  std::uint64_t rate_bytes_per_s = 1'250'000;
  // One-way propagation delay in microseconds, applied after the queue.
  // Default 0. REQUIRES <= kMaxDelayUs.
  std::uint64_t delay_us = 0;
  // Bytes the FIFO may hold (including the packet being serialized); a packet
  // that does not fit is tail-dropped. Default 64 KiB. REQUIRES mtu_bytes <= limit.
  std::uint64_t queue_limit_bytes = 64 * 1024;
  // Probability that an arriving packet is lost (before the queue), in [0, 1).
  // Default 0.
  double loss_probability = 0.0;
  // Seed of the loss RNG: the same seed and packet sequence lose the same packets.
  // Default 1.
  std::uint64_t seed = 1;
  // Largest packet accepted; larger ones are dropped and counted. Default 1500.
  std::uint32_t mtu_bytes = 1500;
  // Packets allowed in the propagation delay line; beyond, dropped and counted.
  // Default kMaxDelayLinePackets.
  std::uint32_t max_delay_line_packets = kMaxDelayLinePackets;

  Status validate() const;
};

// Bytes that take `ms` milliseconds to serialize at `rate_bytes_per_s`, for
// queue limits given as a time ("a 50 ms queue").
std::uint64_t bytes_for_ms(std::uint64_t rate_bytes_per_s, double ms);

// Mbit/s (decimal, as link rates are sold) to bytes per second.
std::uint64_t mbit_to_bytes_per_s(double mbit_per_s);

// A link in the units people quote: rate in Mbit/s, one-way delay and queue
// limit in ms (the queue holds at least one MTU), loss probability. The other
// fields keep their defaults.
LinkOptions quoted_link(double rate_mbit, double delay_ms, double queue_ms, double loss);

}  // namespace bc::netsim
