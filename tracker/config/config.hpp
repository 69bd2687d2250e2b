// bc-tracker's configuration file (TOML). Relative paths are resolved
// against the directory holding the file. Example (docs/api.md has the full
// list with defaults):
//   [server]
//   listen = "127.0.0.1"
//   port = 8080                 # 0 = ephemeral; see port_file
//   port_file = "port"          # optional: the bound port is written here
//   tls_cert = "cert.pem"       # optional, with tls_key; default: the certificate
//   tls_key = "key.pem"         #   the tracker's CA issues itself (DATA/pki/https.pem)
//   tls_names = ["tracker.corp"]  # extra names (DNS or IP) for that certificate
//   insecure_plain_http = false # true: plain HTTP, no TLS (tests only; logged loudly)
//   [storage]
//   data_dir = "data"           # LMDB in data/db, payloads in data/origin
//   map_size_mib = 1024
//   [auth]
//   admin_token_file = "admin.token"   # bootstrap admin token (plain text)
//   signing_key = "tracker.key"        # Ed25519 secret key (bc-layer keygen)
//   [origin]                    # optional: the origin seed (DESIGN §4)
//   enabled = true
//   listen = "0.0.0.0:6881"
//   upload_limit_bytes_per_s = 0        # 0 = unlimited
//   announce_key = "..."                # the origin's node key (role origin)
//   web_seeds = ["http://host/origin"]  # BEP 19 bases handed to nodes with a token per layer
//   serve_web_seed = false              # serve DATA/origin as a tokenized web seed at /ws
//   web_seed_token_ttl_s = 3600         # 60 .. 604800
//   web_seed_secret_file = "webseed.key"  # default DATA/webseed.key (0600, made on first start)
//   [pki]                       # node certificates (SSL torrents)
//   node_cert_lifetime_s = 3600         # 300 .. 604800; nodes renew at half-life
//   insecure_plain_torrents = false     # true: publish plain torrents (tests only)
//   [announce]                  # the BitTorrent tracker's answers
//   interval_s = 1800                   # re-announce interval told to clients
//   min_interval_s = 60
//   [upload]                    # layer upload (docs/api.md "Upload")
//   max_layer_bytes = 68719476736       # a bigger claimed layer is refused at start
//   max_chunk_bytes = 16777216          # one PUT of pieces
//   max_concurrent = 4                  # staged uploads at once
//   stale_after_s = 86400               # idle uploads are swept after this
//   [limits]
//   max_body_bytes = 1048576
//   ...
#pragma once

#include <string>
#include <vector>

#include "layers/util/status.hpp"
#include "tracker/api/api_limits.hpp"
#include "tracker/bt/bt_service.hpp"
#include "tracker/http/server_options.hpp"
#include "tracker/config/origin_options.hpp"
#include "tracker/config/pki_options.hpp"
#include "tracker/console/console_options.hpp"
#include "tracker/upload/upload_options.hpp"
#include "tracker/store/lmdb_env.hpp"

namespace bc::tracker {

struct TrackerConfig {
  ServerOptions server;
  ApiLimits api;
  LmdbOptions lmdb;
  std::string data_dir;          // required
  std::string port_file;         // optional; bound port written here after listen
  std::string admin_token_file;  // optional; bootstrap admin token
  std::string signing_key_file;  // required; the tracker's Ed25519 secret key
  std::string log_level = "info";  // trace|debug|info|warn|error; default info
  // UDP port of the RTT echo responder ([server] probe_port), bound on the
  // listen address; 0 = disabled (default).
  uint16_t probe_port = 0;
  // [server] tls_names: names (DNS or IP) the CA-issued HTTPS certificate
  // carries besides localhost, the host name and every local address: the
  // names nodes dial that this host cannot see (a NAT address, a DNS alias).
  std::vector<std::string> tls_names;
  // [server] insecure_plain_http: serve plain HTTP instead of HTTPS. Tokens,
  // keys and announce keys then cross the network in clear and nodes cannot
  // authenticate the tracker: for tests whose subject is not TLS and for
  // measurements against plain HTTP. Logged loudly. Default false.
  bool insecure_plain_http = false;

  // [status] sample_interval_s: how often the rollout history (GET
  // /api/v1/status/history) takes a sample, 1..3600 s; default 2.
  int64_t status_sample_interval_s = 2;

  PkiOptions pki;                  // [pki]
  UploadOptions upload;            // [upload]: layer upload limits (docs/api.md "Upload")
  OriginOptions origin;            // [origin]; state_dir defaults to DATA/origin-swarm
  ConsoleOptions console;          // [console]: the web console (docs/console.md)
  // [announce]: interval_s, min_interval_s, default_numwant, max_numwant,
  // peer_timeout_s (default 2 x interval_s + 300, so a peer survives one
  // missed announce); the hand-out counting window is interval_s; the rest
  // keeps BtServiceOptions' defaults.
  bt::BtServiceOptions bt;

  Status validate() const;
};

// Parses TOML text. `base_dir` resolves relative paths. invalid_argument
// naming the key on unknown keys, wrong types or out-of-range values.
Result<TrackerConfig> parse_config(std::string_view toml_text, const std::string& base_dir);
Result<TrackerConfig> load_config(const std::string& path);

}  // namespace bc::tracker
