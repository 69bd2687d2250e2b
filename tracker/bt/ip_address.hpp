// A literal IPv4 or IPv6 address and a peer endpoint, as the tracker stores
// and hands them out (compact form: BEP 23 for IPv4, BEP 7 for IPv6).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bc::tracker::bt {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses bytes[0..3]; the rest stays zero

  // A literal address ("10.1.2.3", "fd00::1"); an IPv4-mapped IPv6 address
  // (::ffff:10.1.2.3, what a dual-stack socket reports) becomes IPv4.
  // nullopt for anything else (hostnames included).
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4_from(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

struct PeerEndpoint {
  IpAddress address;
  uint16_t port = 0;
  // "10.1.2.3:6881" or "[fd00::1]:6881"
  std::string to_string() const;
  friend bool operator==(const PeerEndpoint&, const PeerEndpoint&) = default;
};

}  // namespace bc::tracker::bt
