// Bytes a link delivered by traffic class, as IP bytes and as the bytes the
// class's protocol carried: "bittorrent" (TCP or uTP with either port the
// swarm's port) counts the BitTorrent stream (TCP payload, or UDP payload
// less the uTP header and its extensions), "tracker" (TCP with either port
// the tracker's) counts HTTP bytes (TCP payload), "other" (cross traffic,
// RTT probes, ICMP, anything unparsed) counts L4 payload where there is one.
// Ground truth for "WAN bytes against new content": content moves in the
// bittorrent class, so its stream bytes held against the content say what
// dedup and the swarm did, free of IP/UDP/uTP headers and of control traffic,
// which are reported beside it. Pure; fixed size.
//
// DSCP marks (issue #17): every data packet (protocol payload > 0) of a
// class is also counted by the DSCP in its IPv4 header, so a run shows what
// share of the swarm's WAN data packets carried the branch policy's mark
// (Lower-Effort, DSCP 1, by default).
#pragma once

#include <cstdint>
#include <span>

#include <nlohmann/json.hpp>

namespace bc::netsim {

struct ClassPorts {
  std::uint16_t bittorrent = 6881;  // nodes' and the origin's listen port in emulate
  std::uint16_t tracker = 8080;     // the tracker's HTTP port in emulate
};

class ClassTally {
 public:
  enum Class { kBitTorrent = 0, kTracker = 1, kOther = 2, kClasses = 3 };
  struct Bytes {
    std::uint64_t ip = 0;       // whole IP packets
    std::uint64_t payload = 0;  // the class's protocol bytes (see above)
    std::uint64_t packets = 0;
    std::uint64_t data_packets = 0;  // packets with protocol payload > 0
  };
  static constexpr int kDscpValues = 64;

  explicit ClassTally(ClassPorts ports = {}) : ports_(ports) {}

  // Counts one IP packet as delivered; returns its class.
  Class add(std::span<const std::uint8_t> packet);
  const Bytes& bytes(Class c) const { return bytes_[c]; }
  // Data packets of class `c` whose IPv4 DSCP is `dscp` (0..63).
  std::uint64_t data_packets_with_dscp(Class c, int dscp) const;
  // That count over all data packets of `c`; 0 when there were none.
  double marked_share(Class c, int dscp) const;
  // {"bittorrent": {"ip_bytes", "payload_bytes", "packets", "data_packets",
  //  "data_packets_by_dscp": {"1": n, ...} (non-zero counts only)}, "tracker": ..., "other": ...}
  nlohmann::json to_json() const;

 private:
  ClassPorts ports_;
  Bytes bytes_[kClasses];
  std::uint64_t dscp_data_[kClasses][kDscpValues] = {};
};

}  // namespace bc::netsim
