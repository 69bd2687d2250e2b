// The RTT probe wire format, sans-IO. A probe is one UDP datagram:
//
//   offset size
//   0      4    magic "BCP1"
//   4      1    flags: bit 0 = reply; every other bit must be zero
//   5      3    reserved, zero
//   8      8    sequence number, big-endian (chosen by the prober)
//   16     8    sender timestamp, µs of the prober's monotonic clock, big-endian
//   24     n    padding, zero bytes, so a prober can ask for bigger probes
//
// Total size is kProbeHeaderBytes..kMaxProbeBytes. The responder echoes the
// datagram unchanged except for the reply flag: it needs no clock and keeps
// no per-probe state, and a reply is never larger than its request (no
// amplification). Parsing is strict: anything else is refused with
// Status::corruption naming the defect, and the caller drops and counts it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "layers/util/status.hpp"

namespace bc::rtt_probe {

inline constexpr std::array<uint8_t, 4> kProbeMagic = {'B', 'C', 'P', '1'};
inline constexpr size_t kProbeHeaderBytes = 24;
// Fits in one unfragmented datagram on any path with an MTU of 1280 (IPv6 minimum).
inline constexpr size_t kMaxProbeBytes = 1200;
inline constexpr uint8_t kProbeFlagReply = 0x01;

struct ProbePacket {
  bool reply = false;
  uint64_t sequence = 0;
  uint64_t sent_us = 0;                   // prober's monotonic clock, µs
  size_t size_bytes = kProbeHeaderBytes;  // whole datagram, header included
  friend bool operator==(const ProbePacket&, const ProbePacket&) = default;
};

// Writes `p` into `out` and returns the number of bytes written (p.size_bytes).
// invalid_argument when size_bytes is outside [kProbeHeaderBytes, kMaxProbeBytes]
// or `out` is smaller than size_bytes.
Result<size_t> encode_probe(const ProbePacket& p, std::span<uint8_t> out);

// Parses one datagram. corruption (with the reason) when the size, magic,
// flags, reserved bytes or padding are not as above.
Result<ProbePacket> decode_probe(std::span<const uint8_t> datagram);

// The responder's whole job on the wire: validates `datagram` as a request
// and turns it into the reply in place (sets the reply flag, nothing else).
// Returns the reply size, always equal to the request size. corruption when
// the datagram is malformed; invalid_argument when it is already a reply
// (answering replies would let two responders bounce packets forever).
Result<size_t> make_echo_reply(std::span<uint8_t> datagram);

}  // namespace bc::rtt_probe
