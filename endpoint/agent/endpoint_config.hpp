// The endpoint's on-disk state directory and its TOML config (DIR/endpoint.toml),
// written by `bc-endpoint enroll` and read by every other command.
//
// DIR layout: endpoint.toml, node.key (Ed25519, mode 0600), tracker-ca.pem
// (the tracker's CA, pinned at enrollment), reports/ (the
// durable ReportQueue), index/ (ContentIndex), layers/<name>@<version>/
// (manifest.json, manifest.sig, layer.torrent, payload/), swarm/ (SwarmNode data).
#pragma once

#include <cstdint>
#include <string>

#include "layers/crypto/ed25519.hpp"
#include "layers/util/status.hpp"

namespace bc::endpoint {

struct EndpointConfig {
  std::string tracker_url;         // "https://HOST:PORT" (no path; node/tracker_url.hpp)
  // The tracker's CA pinned at enrollment (DIR/tracker-ca.pem): every
  // connection to an https tracker must chain to it. Required with https.
  std::string tracker_ca_file;
  // Plain http:// to the tracker (no TLS: tokens and requests in clear).
  // Must be true with an http URL, false with https. Default false.
  bool insecure_plain_http = false;
  // Plain torrents and plain sockets between peers (no TLS, no certificates):
  // for measuring what encryption costs (netsim --insecure-plain-peers)
  // against a tracker with [pki] insecure_plain_torrents. Default false.
  bool insecure_plain_peers = false;
  std::string node_id;             // the tracker's id of this node
  std::string branch;
  std::string announce_key;        // 32 hex, for the BitTorrent announce URL
  std::string tracker_public_key;  // 64 hex: every manifest must verify against it
  std::string root = "/";          // the target tree layers are applied to
  std::string listen_interfaces = "0.0.0.0:6881";  // swarm listen address(es)
  int poll_interval_ms = 10'000;   // desired-state poll period without long polls (and after a failed one), ms; default 10 s
  int keep_generations = 3;        // rollback snapshots kept; default 3
  // Download cap for the swarm's LAN class (peers in the branch), bytes/s;
  // 0 = unlimited (default). Keeps the agent polite on a busy desktop LAN.
  int64_t lan_download_limit_bytes_per_s = 0;
  // The WAN governor on the endpoint's WAN traffic (its fallback to the
  // origin); false = unlimited WAN class, for no-governor comparison runs.
  // Default true.
  bool wan_governor = true;
  // Where the hardware facts are read: sysfs at ROOT/sys, procfs at
  // ROOT/proc (agent/hardware_facts.hpp). Default "/"; tests give a fake tree.
  std::string hardware_root = "/";

  Status validate() const;
};

std::string config_path(const std::string& dir);
std::string key_path(const std::string& dir);
Status save_config(const std::string& dir, const EndpointConfig& c);
Result<EndpointConfig> load_config(const std::string& dir);

}  // namespace bc::endpoint
