// Limits the API enforces on request content, beyond the HTTP server's
// header/body bounds. Every list and map a client can send is bounded here.
#pragma once

#include <cstddef>
#include <cstdint>

#include "layers/util/status.hpp"

namespace bc::tracker {

struct ApiLimits {
  int max_json_depth = 16;              // nesting of request JSON; default 16
  size_t max_list_items = 1024;         // any JSON array in a request; default 1024
  size_t max_map_entries = 256;         // hardware facts, cache maps; default 256
  size_t max_string_bytes = 4096;       // any string field; default 4 KiB
  size_t max_wan_policy_bytes = 16384;  // a branch's WAN policy object, encoded; default 16 KiB
  int64_t max_long_poll_s = 60;         // ?wait= upper bound, seconds; default 60
  int64_t max_clock_skew_s = 300;       // node signature time skew, seconds; default 300
  size_t max_audit_page = 1000;         // entries per GET /audit; default 1000
  size_t replay_cache_entries = 200'000;  // remembered nonces in all; default 200k
  // Nonces one enrolled node may have remembered at once (2 * skew window);
  // beyond it its requests get 429 ([auth] replay_nonces_per_node); default 1024.
  size_t replay_nonces_per_node = 1024;
  // A reflector counts as live (handed out to its branch, listed in desired
  // states, and keeping WAN fallback off) for this long after its last
  // heartbeat, seconds ([announce] reflector_live_s); default 7: reflectors
  // heartbeat every 3 s (liveness_interval_ms), so one lost heartbeat is
  // survived and a killed reflector is gone from peer lists, desired states
  // and the fallback rule within 10 s (7 s, plus whole-second clock and the
  // tracker's once-a-second check; #17).
  int64_t reflector_live_s = 7;
  Status validate() const;
};

}  // namespace bc::tracker
