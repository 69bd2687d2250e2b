// Bytes a link delivered, by the IPv4 source /24, destination address and
// protocol of each packet ("10.0.0.0/24>10.1.0.10 udp"): ground truth for where a branch's WAN bytes came from
// (the datacenter, another branch) and how (uTP/UDP peers, TCP: HTTP or
// BitTorrent over TCP), to hold against what the nodes report. Pure; bounded.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

namespace bc::netsim {

class SourceTally {
 public:
  // Keys kept; packets of further keys are summed under "other".
  static constexpr std::size_t kMaxKeys = 64;

  // Counts one IP packet (IPv4 header expected; anything else is "other").
  void add(std::span<const std::uint8_t> packet);
  // {"10.0.0.0/24>10.1.0.10 udp": bytes, ...}
  nlohmann::json to_json() const;

 private:
  std::map<std::string, std::uint64_t> bytes_;
};

}  // namespace bc::netsim
