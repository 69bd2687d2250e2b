#include "layers/swarm/ip_subnet.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace bc {

namespace ip = boost::asio::ip;

Result<ip::address> parse_ip(std::string_view text) {
  boost::system::error_code ec;
  ip::address a = ip::make_address(std::string(text), ec);
  if (ec) return Status::invalid_argument("'" + std::string(text) + "' is not an IP address");
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

namespace {
template <size_t N>
std::array<unsigned char, N> masked(std::array<unsigned char, N> b, int prefix, bool set_host) {
  for (size_t i = 0; i < N; ++i) {
    int bits = std::clamp(prefix - int(i) * 8, 0, 8);
    unsigned char mask = bits == 0 ? 0 : (unsigned char)(0xff << (8 - bits));
    b[i] = set_host ? (unsigned char)(b[i] | ~mask) : (unsigned char)(b[i] & mask);
  }
  return b;
}
}  // namespace

Result<IpSubnet> IpSubnet::parse(std::string_view text) {
  auto slash = text.find('/');
  BC_ASSIGN_OR_RETURN(ip::address a, parse_ip(text.substr(0, slash)));
  int max_bits = a.is_v4() ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), bits);
    if (ec != std::errc() || end != p.data() + p.size() || bits < 0 || bits > max_bits)
      return Status::invalid_argument("subnet '" + std::string(text) + "' has a bad prefix length");
  }
  IpSubnet s;
  s.prefix_bits = bits;
  if (a.is_v4()) s.base = ip::address_v4(masked(a.to_v4().to_bytes(), bits, false));
  else s.base = ip::address_v6(masked(a.to_v6().to_bytes(), bits, false));
  return s;
}

ip::address IpSubnet::last() const {
  if (base.is_v4()) return ip::address_v4(masked(base.to_v4().to_bytes(), prefix_bits, true));
  return ip::address_v6(masked(base.to_v6().to_bytes(), prefix_bits, true));
}

bool IpSubnet::contains(const ip::address& a) const {
  if (a.is_v4() != base.is_v4()) return false;
  if (a.is_v4()) return masked(a.to_v4().to_bytes(), prefix_bits, false) == base.to_v4().to_bytes();
  return masked(a.to_v6().to_bytes(), prefix_bits, false) == base.to_v6().to_bytes();
}

std::string IpSubnet::to_string() const { return base.to_string() + "/" + std::to_string(prefix_bits); }

const char* to_string(PeerSource s) {
  switch (s) {
    case PeerSource::origin_wan: return "origin_wan";
    case PeerSource::reflector: return "reflector";
    case PeerSource::branch_peer: return "branch_peer";
  }
  return "?";
}

uint64_t& BytesBySource::operator[](PeerSource s) {
  switch (s) {
    case PeerSource::reflector: return reflector;
    case PeerSource::branch_peer: return branch_peer;
    default: return origin_wan;
  }
}

bool SourceClassifier::is_lan(const ip::address& a) const {
  for (const auto& s : lan_)
    if (s.contains(a)) return true;
  return false;
}

PeerSource SourceClassifier::classify(const ip::address& a) const {
  if (reflectors_.count(a)) return PeerSource::reflector;
  return is_lan(a) ? PeerSource::branch_peer : PeerSource::origin_wan;
}

}  // namespace bc
