// Options of the tracker's origin seed (tracker/origin/origin_seeder.hpp),
// read from the [origin] section of the tracker's configuration. Plain data
// beside the config (library bc_tracker_origin_options), so reading a config
// never links the seed and its swarm node (libtorrent).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::tracker {

inline constexpr size_t kMaxOriginLayers = 100'000;   // publish/remove commands queued at once
inline constexpr size_t kMaxOriginWebSeeds = 16;

struct OriginOptions {
  // Run the origin seed at all. Default off.
  bool enabled = false;
  // Swarm state (resume files, running marker): DATA/origin-swarm by default
  // (set by the config reader from storage.data_dir). Required when enabled.
  std::string state_dir;
  // libtorrent listen address, "IP:PORT"; port 0 = ephemeral. Default
  // "0.0.0.0:6881".
  std::string listen = "0.0.0.0:6881";
  // Upload cap of the origin, bytes/s, over all its peers; 0 = unlimited
  // (default).
  int64_t upload_limit_bytes_per_s = 0;
  // The tracker's own announce URL and the origin's node key: the origin
  // announces like any node (role `origin` in BtService terms) so endpoints
  // and reflectors learn its address. Empty URL = no announces. Default "".
  std::string announce_url;
  std::string announce_key;
  // BEP 19 web seed base URLs of external servers over the origin store; each
  // node gets them per layer with a signed, expiring token in the path
  // (desired state "layer_web_seeds"), also when the origin seed itself is
  // off. Default none.
  std::vector<std::string> web_seeds;
  // The tracker serves DATA/origin as a tokenized web seed at /ws on its
  // HTTP(S) port. Default false: web seed requests run on the API's worker
  // threads and bypass the WAN governor's request pacer, and the origin seed
  // already serves every entitled node (docs/security.md, "Web seeds").
  bool serve_web_seed = false;
  // Lifetime of a web seed token, seconds, in [60, 604800]. Default 3600.
  int64_t web_seed_token_ttl_s = 3600;
  // The 32-byte token secret; made 0600 on first start when missing.
  // Default DATA/webseed.key (set by the config reader).
  std::string web_seed_secret_file;
  // Plain peer connections (plain torrents only), no TLS: set by the tracker
  // from [pki] insecure_plain_torrents; tests of plain swarms. Default false.
  bool insecure_plain_peers = false;
  // poll_events timeout of the owner thread, ms. Default 200.
  int poll_interval_ms = 200;

  Status validate() const;
};

}  // namespace bc::tracker
