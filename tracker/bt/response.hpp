// Tracker responses, bencoded (BEP 3). Peers go out compact only: IPv4 in
// `peers` (6 bytes each, BEP 23), IPv6 in `peers6` (18 bytes each, BEP 7).
// Keys are written in sorted order; outputs are deterministic byte strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracker/bt/info_hash.hpp"
#include "tracker/bt/ip_address.hpp"

namespace bc::tracker::bt {

inline constexpr size_t kMaxFailureReasonBytes = 512;

struct AnnounceResponse {
  uint32_t interval_s = 0;      // "interval"
  uint32_t min_interval_s = 0;  // "min interval"; omitted when 0
  uint64_t complete = 0;        // seeds in the swarm
  uint64_t incomplete = 0;      // leechers in the swarm
  std::vector<PeerEndpoint> peers;  // in hand-out order, either family
  std::string warning;          // "warning message"; omitted when empty
};

struct ScrapeCounts {
  uint64_t complete = 0;
  uint64_t incomplete = 0;
  uint64_t downloaded = 0;  // completed events seen
};

// d8:completei..e10:incompletei..e8:intervali..e12:min intervali..e5:peers..6:peers6..e
std::string encode_announce_response(const AnnounceResponse& r);
// d14:failure reason<n>:<reason>e; the reason is truncated to kMaxFailureReasonBytes.
std::string encode_failure(std::string_view reason);
// d5:filesd<20-byte hash>d8:completei..e10:downloadedi..e10:incompletei..eee
// REQUIRES: hashes unique (sorted here).
std::string encode_scrape_response(std::vector<std::pair<InfoHash, ScrapeCounts>> files);

}  // namespace bc::tracker::bt
