// IPv4/IPv6 addresses and CIDR prefixes, parsed strictly (inet_pton), for the
// branch subnet rules. Pure: no sockets.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "layers/util/status.hpp"

namespace bc::tracker {

// An address in 16-byte form; IPv4 is stored as an IPv4-mapped IPv6 address
// (::ffff:a.b.c.d), so "10.0.0.1" and "::ffff:10.0.0.1" compare equal.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;
  static Result<IpAddress> parse(std::string_view text);
  std::string to_string() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct Cidr {
  IpAddress base;       // host bits zero
  int prefix_bits = 0;  // 0..32 for IPv4, 0..128 for IPv6 (as written)

  // "10.1.0.0/16", "fd00::/8". invalid_argument when the text is not an
  // address, the prefix is out of range, or host bits are set ("10.1.0.1/16").
  static Result<Cidr> parse(std::string_view text);
  bool contains(const IpAddress& a) const;
  std::string to_string() const;
  // Prefix length in the 128-bit space (IPv4 prefixes + 96), for longest-match.
  int specificity() const { return base.v4 ? prefix_bits + 96 : prefix_bits; }
};

}  // namespace bc::tracker
