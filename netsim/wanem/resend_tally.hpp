// Bytes a link delivered twice or more: TCP segments whose whole sequence
// range was already delivered on their connection, and uTP (BEP 29, over UDP)
// data packets whose seq_nr was already delivered. A retransmission of a
// packet that was lost (dropped before delivery) is not counted. A flow is a
// TCP connection (its 5-tuple; a SYN starts it afresh, as a new connection on
// the same ports would) or a uTP connection (5-tuple + connection_id: libtorrent
// runs every uTP connection over its one listen port, so consecutive or
// concurrent connections between two nodes share the 5-tuple). Explains WAN
// bytes beyond payload + headers: after a loss burst, a sender that times out
// resends packets that had arrived. Pure and bounded: at most kMaxFlows flows
// (the oldest-inserted is forgotten first), kMaxTcpRanges delivered ranges per
// TCP flow (beyond, the lowest two are joined: the gap is assumed filled).
#pragma once

#include <bitset>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

namespace bc::netsim {

class ResendTally {
 public:
  static constexpr std::size_t kMaxFlows = 1024;
  static constexpr std::size_t kMaxTcpRanges = 64;

  // Looks at one IPv4 packet as it leaves the link.
  void add(std::span<const std::uint8_t> packet);
  // {"tcp_bytes", "tcp_packets", "utp_bytes", "utp_packets"}: IP bytes and
  // packets delivered a second time.
  nlohmann::json to_json() const;

 private:
  // src, dst, sport, dport, protocol, uTP connection_id (0 for TCP).
  using FlowKey =
      std::tuple<std::uint32_t, std::uint32_t, std::uint16_t, std::uint16_t, std::uint8_t, std::uint16_t>;
  struct Flow {
    std::uint32_t tcp_base = 0;  // first sequence seen; ranges are offsets from it
    std::vector<std::pair<std::uint32_t, std::uint32_t>> tcp_ranges;  // sorted, disjoint [start, end)
    std::unique_ptr<std::bitset<65536>> utp_seen;
  };
  Flow& flow(const FlowKey& k, bool& is_new);
  bool tcp_seen_before(Flow& f, std::uint32_t start, std::uint32_t end);

  std::map<FlowKey, Flow> flows_;
  std::deque<FlowKey> order_;
  std::uint64_t tcp_bytes_ = 0, tcp_packets_ = 0, utp_bytes_ = 0, utp_packets_ = 0;
};

}  // namespace bc::netsim
