// The scrape request (BEP 48 convention, BEP 3 era): GET /scrape?info_hash=..&info_hash=..
// `info_hash` may repeat (1..kMaxScrapeHashes, 20 bytes each; repeats of the
// same hash are merged); `bckey` once at most (see announce_request.hpp). A
// scrape without info_hash (a "full scrape") is refused: a private tracker
// does not list its torrents. Unknown keys are ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "layers/util/status.hpp"
#include "tracker/bt/info_hash.hpp"
#include "tracker/bt/query.hpp"

namespace bc::tracker::bt {

inline constexpr size_t kMaxScrapeHashes = 64;

struct ScrapeRequest {
  std::vector<InfoHash> info_hashes;  // sorted, unique, 1..kMaxScrapeHashes
  std::string node_key;               // bckey; empty when absent
};

Result<ScrapeRequest> parse_scrape_query(std::string_view query, const QueryLimits& limits = {});

}  // namespace bc::tracker::bt
