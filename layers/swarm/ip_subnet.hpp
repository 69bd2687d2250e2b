// An IPv4 or IPv6 subnet ("10.1.0.0/16", "fd00::/8", "127.0.0.2" = /32) and
// the pure classification of peers by address into sources (LAN branch peer,
// reflector, origin/WAN) that the swarm node counts bytes by.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc {

struct IpSubnet {
  boost::asio::ip::address base;  // network address (host bits cleared)
  int prefix_bits = 0;            // 0..32 (v4) or 0..128 (v6)

  // invalid_argument naming the text and why.
  static Result<IpSubnet> parse(std::string_view text);
  bool contains(const boost::asio::ip::address& a) const;
  // First and last address of the range (for lt::ip_filter rules).
  boost::asio::ip::address first() const { return base; }
  boost::asio::ip::address last() const;
  std::string to_string() const;
};

Result<boost::asio::ip::address> parse_ip(std::string_view text);

// Where payload bytes came from (DESIGN §5: bytes by source).
enum class PeerSource { origin_wan, reflector, branch_peer };
const char* to_string(PeerSource s);

struct BytesBySource {
  uint64_t origin_wan = 0;   // peers outside the LAN subnets
  uint64_t reflector = 0;    // peers whose address is a known reflector
  uint64_t branch_peer = 0;  // other peers inside the LAN subnets
  uint64_t total() const { return origin_wan + reflector + branch_peer; }
  uint64_t& operator[](PeerSource s);
};

// Pure: a peer address -> its source. Reflectors win over LAN membership (a
// reflector sits in the branch LAN); anything not in a LAN subnet is WAN.
class SourceClassifier {
 public:
  SourceClassifier() = default;
  SourceClassifier(std::vector<IpSubnet> lan, std::set<boost::asio::ip::address> reflectors)
      : lan_(std::move(lan)), reflectors_(std::move(reflectors)) {}
  PeerSource classify(const boost::asio::ip::address& a) const;
  bool is_lan(const boost::asio::ip::address& a) const;
  const std::vector<IpSubnet>& lan() const { return lan_; }

 private:
  std::vector<IpSubnet> lan_;
  std::set<boost::asio::ip::address> reflectors_;
};

}  // namespace bc
