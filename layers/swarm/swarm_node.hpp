// The swarm node: one libtorrent session, for both roles (seeding and
// downloading layers), behind a narrow class of ours. The rest of the code
// speaks LayerRef, TrustedManifest and SwarmEvent; no libtorrent type crosses
// this header.
//
// Peer classes (DESIGN §4): every peer is in exactly one of two classes of
// ours, LAN (inside the branch subnets) or WAN (everything else). libtorrent's
// default "local" class, which makes 10/8, 172.16/12, 192.168/16 and 127/8
// unlimited, is replaced, so the emulated WAN (10.x inside namespaces) is
// governed too. The WAN class's rates are set through one setter,
// set_wan_limits, which the WAN governor drives.
//
// Thread affinity: a SwarmNode is owned by one thread; every method must be
// called from it. Events are delivered only by poll_events on that thread
// (libtorrent's own threads never call into our code except the byte-counting
// plugin, which only touches a mutex-guarded counter).
//
// Crash safety: the node keeps a "running" marker in data_dir while alive.
// Resume data is saved periodically, after batches of pieces and on
// destruction. When a node starts and finds the marker (the previous process
// was killed), it does not trust saved resume data: layers added for download
// are checked in full (every piece on disk is hashed), so verified pieces that
// reached the disk are kept and anything else is fetched again.
//
// Time: SwarmNodeOptions::clock is the node's only source of time (ban TTLs,
// progress and resume intervals, idle reannounces, the request pacer, the
// bound on the resume save at destruction, which is also bounded by a count
// of waits so a clock that never moves cannot hold the exit).
//
// Parts (one concern each): crash_guard (marker, suspects, bans),
// swarm_session (session set-up, filters, shutdown), layer_params (pure
// add_torrent_params builder), socket_buffer_cap (/proc caps), and, inside
// the node, swarm_alerts (alert translation) and swarm_tick (periodic work).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "layers/model/trusted_manifest.hpp"
#include "layers/swarm/ip_subnet.hpp"
#include "layers/swarm/swarm_events.hpp"
#include "layers/swarm/swarm_options.hpp"

namespace bc {

enum class LayerMode {
  // The payload was verified by this node (captured, or checked against the
  // manifest): serve it; libtorrent hashes each piece on first upload.
  seed,
  // Fetch what is missing. Files already in payload_dir (pre-seeded by
  // prepare_payload, or a previous run) are hashed first; only missing or bad
  // pieces go to the network.
  download,
};

struct SwarmLayerStatus {
  LayerRef layer;
  LayerMode mode = LayerMode::download;
  bool checking = false;      // libtorrent is hashing files on disk
  bool complete = false;      // every piece verified
  uint64_t done_bytes = 0;
  uint64_t total_bytes = 0;
  int64_t download_bytes_per_s = 0;
  int64_t upload_bytes_per_s = 0;
  int peers = 0;
  BytesBySource downloaded;   // payload bytes received since added, by source
  uint64_t uploaded_bytes = 0;
  // BitTorrent bytes sent / received since the layer was added: payload as
  // sent (a file's last block whole, padding included) plus protocol
  // messages; no TCP/IP headers. What a link carries, less transport.
  uint64_t wire_uploaded_bytes = 0;
  uint64_t wire_downloaded_bytes = 0;
};

inline constexpr size_t kMaxPendingPeersPerLayer = 256;

class SwarmNode {
 public:
  // Validates options, creates data_dir, starts the session and listens.
  // Errors: invalid_argument for bad options, io_error for data_dir,
  // unavailable when the listen interfaces cannot be opened.
  static Result<std::unique_ptr<SwarmNode>> start(const SwarmNodeOptions& options);
  // Saves resume data of every layer (bounded wait), stops the session and
  // clears the running marker.
  ~SwarmNode();
  SwarmNode(const SwarmNode&) = delete;
  SwarmNode& operator=(const SwarmNode&) = delete;

  // The TCP/uTP port the node listens on (useful with port 0): its TLS port
  // unless insecure_plain_peers.
  uint16_t listen_port() const;
  // True when the previous run in data_dir did not shut down cleanly.
  bool recovered_from_unclean_shutdown() const { return unclean_start_; }

  // Adds a layer's torrent. Checks the torrent against the manifest
  // (check_torrent_matches), and that it is an SSL torrent (a plain one on an
  // insecure_plain_peers node); files land at payload_dir/<manifest path> and
  // bins of packed files at bins_dir/<i> (default, when empty:
  // payload_bins_dir(payload_dir), i.e. their torrent path ".bc-pack/<i>").
  // Errors: corruption when the torrent does not match the manifest,
  // already_exists when the layer is in the node, invalid_argument for a
  // layer without files or of the wrong kind (plain / SSL), internal for
  // libtorrent refusals.
  Status add_layer(const TrustedManifest& layer, std::string_view torrent_bytes,
                   const std::string& payload_dir, LayerMode mode, const std::string& bins_dir = {});
  // Removes a layer from the session; its files stay. not_found if absent.
  Status remove_layer(const LayerRef& layer);
  // Hashes the layer's files again (e.g. after the disk was touched).
  Status force_recheck(const LayerRef& layer);

  // Connects to a peer of a layer directly: for tests, and for tracker-less
  // recovery from peers the node remembers. Queued (bounded) until the layer's
  // files are checked. Transport: SwarmNodeOptions::outgoing_utp.
  // Errors: not_found, invalid_argument for a bad address.
  Status add_peer(const LayerRef& layer, const std::string& ip, uint16_t port);

  // The branch's subnets and reflectors (usually from the tracker). New
  // connections are classed by the new subnets; live ones keep their class.
  Status set_lan(const std::vector<std::string>& subnets, const std::vector<std::string>& reflector_ips);
  // BEP 19 web seed base URLs (SwarmNodeOptions::web_seed_urls, usually from
  // the tracker) for layers added from now on. Errors: invalid_argument.
  Status set_web_seeds(const std::vector<std::string>& base_urls);
  // Per-layer web seed URLs, used as given (the tracker's tokenized URLs,
  // "<base>/<node>/<expiry>/<mac>/<info_hash>/"), keyed by info-hash: applied
  // to live layers at once (URLs no longer listed are removed, which drops
  // their connections; new ones added) and to layers added later. The map
  // replaces the previous one. Errors: invalid_argument for a bad URL or more
  // than kMaxWebSeedUrls for a layer (nothing changes then).
  Status set_layer_web_seeds(std::map<std::string, std::vector<std::string>> by_info_hash);
  // WAN class limits, bytes/s, 0 = unlimited; applies to live connections.
  // The one entry point of the WAN governor.
  void set_wan_limits(int64_t download_bytes_per_s, int64_t upload_bytes_per_s);
  // Paces the block requests sent to WAN peers (layers/governor/request_pacer.hpp):
  // at most rate bytes/s requested, at most window bytes unanswered; rate 0 =
  // unpaced. Any thread; applies within a millisecond to live connections.
  void set_wan_request_pace(int64_t rate_bytes_per_s, int64_t window_bytes);
  void set_lan_limits(int64_t download_bytes_per_s, int64_t upload_bytes_per_s);
  // DSCP of peer packets, [0, 63] (SwarmNodeOptions::peer_dscp; the branch
  // policy's "dscp"): the listen and uTP sockets at once, TCP connections
  // made from now on. invalid_argument outside [0, 63].
  Status set_peer_dscp(int dscp);
  // Payload bytes received from / sent to WAN peers (outside the LAN subnets,
  // as classed now) since the node started, removed layers included; what the
  // WAN governor counts per tick. Counted by our peer plugin as blocks arrive
  // or leave (excluding protocol overhead, ~1-2%). A set_lan that reclasses
  // peers can make it step back once.
  struct WanBytes {
    uint64_t down = 0;
    uint64_t up = 0;
  };
  WanBytes wan_bytes() const;
  // Addresses blocked now for bad data (SwarmNodeOptions::ban_ttl_s), sorted.
  // A ban expires ban_ttl_s after it was made, by the node's clock.
  std::vector<std::string> banned_peers() const;

  // This node's TLS identity for SSL torrents (layers/swarm/node_cert.hpp):
  // the tracker-issued certificate (DNS names = the torrents it may take part
  // in) and its private key. Applies to every SSL layer now and to those
  // added later; connections already up keep going (a renewal does not
  // interrupt transfers); new ones present the new certificate. Until the
  // first call the node cannot connect to any peer of an SSL torrent.
  // Errors: invalid_argument from load_node_certificate (expired, key not the
  // certificate's, unparsable), by the node's clock; unsupported on an
  // insecure_plain_peers node.
  Status set_certificate(const std::string& cert_pem, const std::string& key_pem);
  // The serials (hex, any case) of revoked certificates, replacing the last
  // set. Peers presenting one are dropped at once (at the latest at the next
  // one-second tick) and refused afterwards; each drop is a PeerRefused event.
  void set_revoked_serials(std::vector<std::string> serials_hex);
  // True when this node's certificate names the layer's torrent (or "*"):
  // the owner renews early before adding a layer it does not cover.
  bool certificate_covers(const LayerRef& layer) const;
  // Peers the certificate guard dropped since the node started, by reason.
  struct CertRefusals {
    uint64_t revoked = 0;
    uint64_t wrong_name = 0;
    uint64_t expired = 0;
    uint64_t no_certificate = 0;
  };
  CertRefusals cert_refusals() const;

  // Waits up to timeout_ms for libtorrent alerts and returns the events they
  // translate to (possibly none). Also drives periodic progress and resume
  // data saving, so the owner must call it regularly (every <= 1 s).
  std::vector<SwarmEvent> poll_events(int timeout_ms);

  Result<SwarmLayerStatus> layer_status(const LayerRef& layer);
  std::vector<LayerRef> layers() const;

 private:
  struct Impl;
  SwarmNode() = default;
  std::unique_ptr<Impl> impl_;
  bool unclean_start_ = false;
};

}  // namespace bc
