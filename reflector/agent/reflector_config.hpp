// The reflector's configuration file (TOML, toml++). `bc-reflector init`
// writes one; `bc-reflector run --config FILE` reads it. Every key, its unit
// and default is documented in docs/reflector.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::reflector {

struct ReflectorConfig {
  std::string tracker_url;           // "https://HOST:PORT" (node/tracker_url.hpp); required
  // The tracker's CA pinned by `init` (CACHE_DIR/tracker-ca.pem): every
  // connection to an https tracker must chain to it. Required with https.
  std::string tracker_ca_file;
  // Plain http:// to the tracker (no TLS: tokens and requests in clear).
  // Must be true with an http URL, false with https. Default false.
  bool insecure_plain_http = false;
  // Plain torrents and plain sockets between peers (no TLS, no certificates):
  // for measuring what encryption costs, against a tracker with [pki]
  // insecure_plain_torrents. Default false.
  bool insecure_plain_peers = false;
  std::string identity_key_file;     // Ed25519 secret key, hex, mode 0600; required
  std::string tracker_public_key;    // pinned tracker key, 64 hex; every manifest verifies against it; required
  std::string registration_token;    // reflector enrollment token; needed until registered
  std::string branch;                // branch to register in; "" = the tracker decides
  std::string address;               // address announced to the tracker; "" = as seen by it
  std::string cache_dir;             // cache root (layers/, index/, swarm/); required
  uint64_t quota_bytes = 0;          // cache quota, bytes; required (> 0)
  std::string listen = "0.0.0.0:6881";  // BitTorrent listen interfaces "IP:PORT[,IP:PORT]"
  int64_t upload_limit_bytes_per_s = 0;    // all peers; 0 = unlimited (default)
  int64_t download_limit_bytes_per_s = 0;  // all peers; 0 = unlimited (default)
  int max_parallel_fetches = 2;      // layers downloading at once; default 2
  int poll_interval_ms = 2000;       // desired-state poll (with ETag) without long polls, ms; default 2 s
  int heartbeat_interval_ms = 15000; // heartbeat + status report; default 15 s
  // A bare heartbeat (an empty body: "alive") this often when the full one
  // is not due, so the tracker notices a dead reflector within its
  // reflector_live_s (7 s) and stops handing it out. One small signed POST:
  // 600 reflectors at 3 s are 200 requests/s (docs/benchmarks.md). [100,
  // 60000] ms; default 3000.
  int liveness_interval_ms = 3000;
  // The WAN governor (docs/architecture.md "WAN governor"): drives the WAN
  // class's limits from the branch policy and the RTT to the tracker. false =
  // static limits only (for no-governor comparison runs); default true.
  bool wan_governor = true;
  // uTP, dialed and accepted. false = TCP only (the "no governor" arm of a
  // comparison: neither the governor nor uTP's LEDBAT yields); default true.
  bool utp = true;

  Status validate() const;
};

Result<ReflectorConfig> parse_reflector_config(const std::string& toml_text);
Result<ReflectorConfig> load_reflector_config(const std::string& path);
// The TOML text of a config (what `init` writes).
std::string render_reflector_config(const ReflectorConfig& c);

}  // namespace bc::reflector
