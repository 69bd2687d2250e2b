#include "tracker/config/origin_options.hpp"

namespace bc::tracker {

Status OriginOptions::validate() const {
  auto bad = [](const std::string& what) { return Status::invalid_argument("origin: " + what); };
  if (web_seeds.size() > kMaxOriginWebSeeds) return bad("more than 16 web_seeds");
  for (const auto& u : web_seeds)
    if ((u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0) ||
        u.find_first_of("?# \r\n") != std::string::npos)
      return bad("web_seeds: '" + u + "' is not an http(s) URL without query");
  if (web_seed_token_ttl_s < 60 || web_seed_token_ttl_s > 7 * 86'400)
    return bad("web_seed_token_ttl_s must be in [60, 604800] seconds");
  if (!enabled) return Status();  // web seeds are handed to nodes even without the origin seed
  if (state_dir.empty()) return bad("no state directory");
  if (listen.empty() || listen.find(':') == std::string::npos) return bad("listen must be IP:PORT");
  if (upload_limit_bytes_per_s < 0 || upload_limit_bytes_per_s > INT32_MAX)
    return bad("upload_limit_bytes_per_s must be in [0, 2^31) (0 = unlimited)");
  if (announce_key.find_first_of("&?#= \r\n") != std::string::npos)
    return bad("announce_key must be a URL-safe token");
  if (poll_interval_ms < 10 || poll_interval_ms > 1000) return bad("poll_interval_ms must be in [10, 1000]");
  return Status();
}

}  // namespace bc::tracker
