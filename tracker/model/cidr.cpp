#include "tracker/model/cidr.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace bc::tracker {

Result<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 64)
    return Status::invalid_argument("'" + std::string(text.substr(0, 64)) + "' is not an IP address");
  std::string s(text);
  IpAddress a;
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    a.v4 = true;
    a.bytes[10] = a.bytes[11] = 0xff;
    std::memcpy(&a.bytes[12], &v4, 4);
    return a;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(a.bytes.data(), &v6, 16);
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    a.v4 = std::memcmp(a.bytes.data(), mapped, 12) == 0;
    return a;
  }
  return Status::invalid_argument("'" + s + "' is not an IPv4 or IPv6 address");
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (v4) inet_ntop(AF_INET, &bytes[12], buf, sizeof buf);
  else inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

Result<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos)
    return Status::invalid_argument("subnet '" + std::string(text.substr(0, 64)) +
                                    "' lacks a /prefix length");
  BC_ASSIGN_OR_RETURN(IpAddress base, IpAddress::parse(text.substr(0, slash)));
  std::string_view len = text.substr(slash + 1);
  int bits = -1;
  auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), bits);
  int max_bits = base.v4 ? 32 : 128;
  if (len.empty() || ec != std::errc() || p != len.data() + len.size() || bits < 0 || bits > max_bits)
    return Status::invalid_argument("subnet '" + std::string(text) + "': prefix length must be 0.." +
                                    std::to_string(max_bits));
  Cidr c{base, bits};
  int total = c.specificity();
  for (int i = total; i < 128; ++i) {
    if (base.bytes[i / 8] & (0x80 >> (i % 8)))
      return Status::invalid_argument("subnet '" + std::string(text) +
                                      "' has host bits set (did you mean " +
                                      [&] {
                                        Cidr z = c;
                                        for (int j = total; j < 128; ++j)
                                          z.base.bytes[j / 8] &= ~(0x80 >> (j % 8));
                                        return z.to_string();
                                      }() +
                                      "?)");
  }
  return c;
}

bool Cidr::contains(const IpAddress& a) const {
  if (a.v4 != base.v4) return false;
  int total = specificity();
  int full = total / 8;
  if (std::memcmp(a.bytes.data(), base.bytes.data(), full) != 0) return false;
  int rest = total % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.bytes[full] & mask) == (base.bytes[full] & mask);
}

std::string Cidr::to_string() const { return base.to_string() + "/" + std::to_string(prefix_bits); }

}  // namespace bc::tracker
