// What a swarm node tells its owner: our own typed events, translated from
// libtorrent alerts at the seam (layers/swarm/swarm_node.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "layers/model/manifest.hpp"
#include "layers/swarm/ip_subnet.hpp"

namespace bc {

struct LayerProgress {
  LayerRef layer;
  uint64_t done_bytes = 0;     // payload bytes in verified pieces (partial pieces excluded)
  uint64_t total_bytes = 0;
  int64_t download_bytes_per_s = 0;
  int64_t upload_bytes_per_s = 0;
  int peers = 0;
  BytesBySource downloaded;    // payload bytes received, by source
};

// The layer's payload is complete and every piece verified.
struct LayerComplete {
  LayerRef layer;
  BytesBySource downloaded;
};

// The files were checked (after add or recheck): `done_bytes` verified on disk.
struct LayerChecked {
  LayerRef layer;
  uint64_t done_bytes = 0;
  uint64_t total_bytes = 0;
  // Payload received so far. Not always zero: done_bytes is read when the
  // event is made, which can be after a fast download finished, so a
  // LayerChecked may already show the layer complete.
  BytesBySource downloaded;
};

struct LayerError {
  LayerRef layer;
  std::string reason;
};

// A piece failed its hash check; `peer_ips` are the peers that sent blocks of
// it (empty when unknown).
struct HashFailed {
  LayerRef layer;
  int piece = 0;
  std::vector<std::string> peer_ips;
};

struct PeerBanned {
  LayerRef layer;
  std::string peer_ip;
  std::string reason;
};

// The peer-certificate guard dropped a peer of an SSL torrent
// (layers/swarm/cert_guard.hpp). `message` is a log line:
// "dropped peer 10.0.0.5:6881: certificate serial ab12 is revoked".
struct PeerRefused {
  LayerRef layer;
  std::string peer;        // "ip:port"
  std::string reason;      // "revoked", "wrong_name", "expired" or "no_certificate"
  std::string serial_hex;  // of the peer's certificate; empty when none was read
  std::string message;
};

struct TrackerError {
  LayerRef layer;
  std::string url;  // secret query values (the announce key) redacted: safe to log
  std::string reason;
  int times_in_row = 0;
};

// Resume data of a layer was written (or failed to be).
struct ResumeSaved {
  LayerRef layer;
  bool ok = true;
  std::string reason;
};

using SwarmEvent = std::variant<LayerProgress, LayerComplete, LayerChecked, LayerError, HashFailed,
                                PeerBanned, PeerRefused, TrackerError, ResumeSaved>;

}  // namespace bc
