// What a link carried, split for the WAN governor's figures: the transport
// payload (IP bytes minus the IP and TCP/UDP headers), so a payload cap set on
// the nodes can be compared payload-to-payload at the link; and the part of
// the traffic to or from one marked host (the cross-traffic node), so the
// rollout's share of the link is the rest. Pure; a few header reads per packet.
#pragma once

#include <cstdint>
#include <span>

namespace bc::netsim {

// L4 payload bytes of an IPv4 packet: total length minus the IP header
// (IHL) and, for the first fragment of TCP (data offset) or UDP (8 bytes),
// the transport header; other protocols and later fragments count everything
// after the IP header. A truncated or non-IPv4 packet has 0 payload.
std::uint32_t l4_payload_bytes(std::span<const std::uint8_t> packet);

struct PayloadTotals {
  std::uint64_t ip_bytes = 0;            // every packet, IP bytes
  std::uint64_t payload_bytes = 0;       // every packet, L4 payload
  std::uint64_t marked_ip_bytes = 0;     // packets from or to the marked host
  std::uint64_t marked_payload_bytes = 0;
};

class PayloadTally {
 public:
  // marked_ipv4: the marked host's address in host byte order (10.0.0.11 =
  // 0x0a00000b); 0 = none.
  explicit PayloadTally(std::uint32_t marked_ipv4 = 0) : marked_(marked_ipv4) {}

  void add(std::span<const std::uint8_t> packet);
  const PayloadTotals& totals() const { return totals_; }
  // An IPv4 packet from or to the marked host.
  bool is_marked(std::span<const std::uint8_t> packet) const;

 private:
  std::uint32_t marked_;
  PayloadTotals totals_;
};

}  // namespace bc::netsim
