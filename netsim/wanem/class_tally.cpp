#include "netsim/wanem/class_tally.hpp"

#include <algorithm>

#include "netsim/wanem/payload_tally.hpp"

namespace bc::netsim {

namespace {
std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
constexpr std::uint8_t kTcp = 6, kUdp = 17;
constexpr std::size_t kUtpHeader = 20;
}  // namespace

ClassTally::Class ClassTally::add(std::span<const std::uint8_t> p) {
  Class c = kOther;
  std::uint64_t payload = l4_payload_bytes(p);  // TCP/UDP payload; the uTP header comes off below
  const bool first_fragment = p.size() >= 20 && ((p[6] & 0x1f) << 8 | p[7]) == 0;
  if (first_fragment && (p[0] >> 4) == 4) {
    const std::size_t ihl = (p[0] & 0x0f) * 4u;
    const std::size_t total = std::min<std::size_t>(be16(&p[2]), p.size());
    const std::uint8_t proto = p[9];
    if (ihl >= 20 && total >= ihl + 8 && (proto == kTcp || proto == kUdp)) {
      const std::uint8_t* l4 = p.data() + ihl;
      const std::uint16_t sport = be16(l4), dport = be16(l4 + 2);
      auto either = [&](std::uint16_t port) { return sport == port || dport == port; };
      if (either(ports_.bittorrent)) {
        c = kBitTorrent;
        if (proto == kUdp && payload >= kUtpHeader && (l4[8] & 0x0f) == 1) {
          // uTP (BEP 29): 20-byte header, then extensions chained by type byte.
          std::size_t off = ihl + 8 + kUtpHeader;
          std::uint8_t next = l4[8 + 1];
          while (next != 0 && off + 2 <= total) {
            next = p[off];
            off += 2u + p[off + 1];
          }
          payload = off <= total ? total - off : 0;
        }
      } else if (proto == kTcp && either(ports_.tracker)) {
        c = kTracker;
      }
    }
  }
  Bytes& b = bytes_[c];
  b.ip += p.size();
  b.payload += payload;
  b.packets += 1;
  if (payload > 0) {
    b.data_packets += 1;
    // The DSCP is the top 6 bits of the IPv4 TOS byte (RFC 2474); IPv6 is off
    // in emulate, and an unparsable packet has no payload.
    if (p.size() >= 2 && (p[0] >> 4) == 4) dscp_data_[c][p[1] >> 2] += 1;
  }
  return c;
}

std::uint64_t ClassTally::data_packets_with_dscp(Class c, int dscp) const {
  return dscp < 0 || dscp >= kDscpValues ? 0 : dscp_data_[c][dscp];
}

double ClassTally::marked_share(Class c, int dscp) const {
  const std::uint64_t all = bytes_[c].data_packets;
  return all == 0 ? 0.0 : double(data_packets_with_dscp(c, dscp)) / double(all);
}

nlohmann::json ClassTally::to_json() const {
  static const char* names[kClasses] = {"bittorrent", "tracker", "other"};
  nlohmann::json j = nlohmann::json::object();
  for (int c = 0; c < kClasses; ++c) {
    nlohmann::json by_dscp = nlohmann::json::object();
    for (int d = 0; d < kDscpValues; ++d)
      if (dscp_data_[c][d]) by_dscp[std::to_string(d)] = dscp_data_[c][d];
    j[names[c]] = {{"ip_bytes", bytes_[c].ip},
                   {"payload_bytes", bytes_[c].payload},
                   {"packets", bytes_[c].packets},
                   {"data_packets", bytes_[c].data_packets},
                   {"data_packets_by_dscp", by_dscp}};
  }
  return j;
}

}  // namespace bc::netsim
