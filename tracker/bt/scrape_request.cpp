#include "tracker/bt/scrape_request.hpp"

#include <algorithm>

#include "tracker/bt/announce_request.hpp"

namespace bc::tracker::bt {

Result<ScrapeRequest> parse_scrape_query(std::string_view query, const QueryLimits& limits) {
  BC_ASSIGN_OR_RETURN(std::vector<QueryParam> params, split_query(query, limits));
  ScrapeRequest r;
  bool have_key = false;
  for (const QueryParam& p : params) {
    if (p.key == "info_hash") {
      auto h = InfoHash::from_raw(p.value);
      if (!h)
        return Status::invalid_argument("info_hash: expected 20 bytes after percent-decoding, got " +
                                        std::to_string(p.value.size()));
      if (r.info_hashes.size() == kMaxScrapeHashes)
        return Status::invalid_argument("info_hash: more than " + std::to_string(kMaxScrapeHashes) +
                                        " in one scrape");
      r.info_hashes.push_back(*h);
    } else if (p.key == kNodeKeyParam) {
      if (have_key) return Status::invalid_argument(std::string(kNodeKeyParam) + ": given more than once");
      if (!is_valid_node_key(p.value))
        return Status::invalid_argument(std::string(kNodeKeyParam) + ": expected " +
                                        std::to_string(kMinNodeKeyBytes) + ".." + std::to_string(kMaxNodeKeyBytes) +
                                        " bytes of [A-Za-z0-9_-], got " + std::to_string(p.value.size()) + " bytes");
      have_key = true;
      r.node_key = p.value;
    }
  }
  if (r.info_hashes.empty())
    return Status::invalid_argument("info_hash: missing (a full scrape is not offered by this private tracker)");
  std::sort(r.info_hashes.begin(), r.info_hashes.end());
  r.info_hashes.erase(std::unique(r.info_hashes.begin(), r.info_hashes.end()), r.info_hashes.end());
  return r;
}

}  // namespace bc::tracker::bt
