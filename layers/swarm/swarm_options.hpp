// Options of a swarm node (layers/swarm/swarm_node.hpp). Every field has its
// unit and default; docs/architecture.md ("Swarm node") says why.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "layers/util/clock.hpp"
#include "layers/util/status.hpp"

namespace bc {

inline constexpr size_t kMaxWebSeedUrls = 16;
inline constexpr size_t kMaxLayerWebSeeds = 4096;  // layers with their own web seed URLs

// OK for an http(s) URL without query, fragment or whitespace (a query would
// come before the path libtorrent appends); invalid_argument quoting it.
Status check_web_seed_url(const std::string& url);

struct SwarmNodeOptions {
  // Where the node keeps its state: resume/ (one resume file per layer) and
  // the running marker that detects an unclean shutdown. Required.
  std::string data_dir;
  // This node's name, for the owner's log lines (the node itself does not
  // log: everything it has to say is a SwarmEvent). Default "node".
  std::string node_name = "node";
  // The node's only source of time: ban TTLs (unix_s), progress, resume and
  // reannounce intervals, save waits and the request pacer (now_ms/now_us).
  // Read on libtorrent's network thread too (the pacer), so it must be safe
  // to read from any thread (SystemClock and ManualClock are). Not owned;
  // must outlive the node. Default nullptr: a SystemClock the node owns. A
  // test or a simulator passes its own to move time.
  const Clock* clock = nullptr;

  // libtorrent listen_interfaces, "IP:PORT[,IP:PORT]"; port 0 = ephemeral.
  // Unless insecure_plain_peers, every item listens for TLS only (TCP and
  // uTP): the node adds libtorrent's "s" flag. Default "0.0.0.0:6881".
  std::string listen_interfaces = "0.0.0.0:6881";
  // Peers without TLS (docs/security.md, "Data plane"). false (the default):
  // the node listens on TLS sockets only and takes SSL torrents only (a
  // torrent without a CA certificate is refused at add_layer); peers must
  // present a certificate from the torrent's CA naming the torrent
  // (SwarmNode::set_certificate gives this node's). true: plain sockets and
  // plain torrents only, for tests of something else and benchmarks; never
  // in production.
  bool insecure_plain_peers = false;
  // Source address(es) for outgoing connections, comma-separated. Needed
  // whenever the node is bound to one address of several: otherwise outgoing
  // connections leave from the primary address and peers' IP policies (LAN
  // classes, bans) see the wrong node. Default "": the specific IPs named in
  // listen_interfaces (none when it listens on a wildcard address, leaving the
  // choice to the kernel).
  std::string outgoing_interfaces;

  // The node's branch subnets: peers inside are the LAN class, all others WAN.
  // Usually set later from the tracker (SwarmNode::set_lan). Default none.
  std::vector<std::string> lan_subnets;
  // Addresses of this branch's reflectors: bytes from them count as
  // "reflector" rather than "branch peer". Default none.
  std::vector<std::string> reflector_ips;

  // WAN class limits, bytes/s; 0 = unlimited. The WAN governor drives them at
  // run time through SwarmNode::set_wan_limits. Default unlimited.
  int64_t wan_download_bytes_per_s = 0;
  int64_t wan_upload_bytes_per_s = 0;
  // LAN class limits, bytes/s; 0 = unlimited (default).
  int64_t lan_download_bytes_per_s = 0;
  int64_t lan_upload_bytes_per_s = 0;

  // Transports. uTP (LEDBAT) yields to other traffic on a shared WAN link;
  // TCP is faster and cheaper on the LAN. Defaults on.
  bool enable_utp = true;
  bool enable_tcp = true;
  // Dial peers over uTP first (TCP after a failed uTP attempt, which costs a
  // few seconds against a TCP-only peer). libtorrent picks the transport per
  // node, not per peer (a peer is assumed to speak uTP until a dial fails), so
  // this is a role choice: on for nodes that dial across the WAN (reflectors,
  // roaming endpoints), off for endpoints whose peers are all in their LAN.
  // Incoming uTP is accepted either way. Default on.
  bool outgoing_utp = true;
  // Socket buffers, bytes. uTP needs 1-4 MiB to go beyond ~20 MiB/s; clamped
  // to net.core.rmem_max/wmem_max at start. Default 4 MiB.
  int socket_buffer_bytes = 4 << 20;
  // libtorrent's tick_interval: how often its rate limiter hands out quota.
  // A limited peer reads in lumps of up to 20 ticks' quota, which a sender
  // answers at line rate; libtorrent's 500 ms default made 10 s lumps at a cap
  // (docs/benchmarks.md). [5, 1000] ms; default 20 ms.
  int limiter_tick_ms = 20;

  // Peer connections across all layers. Default 200.
  int connections_limit = 200;
  // Peers unchoked at once in the WAN class (the LAN class ignores the
  // limit). Default 8.
  int unchoke_slots = 8;
  // Alerts libtorrent queues between two poll_events calls. Default 10000.
  int alert_queue_size = 10000;
  // The WAN class ignores unchoke slots too: every interested WAN peer is
  // unchoked at once, and the WAN class's upload limit is split among them
  // by libtorrent's rate limiter (equal shares per peer within each tick),
  // rather than 8 peers holding the cap while the rest wait a rotation
  // (5-30 s choked, measured with 14 reflector connections to the origin).
  // For the origin, whose every peer is an enrolled, certified, entitled
  // node the tracker granted. Default false (reflectors and endpoints keep
  // the slots on the WAN: their WAN upload is a side effect).
  bool wan_ignore_unchoke_slots = false;
  // DSCP (0..63, RFC 2474) in the IP header of every packet to peers: TCP
  // and uTP (libtorrent marks the listen, UDP and peer sockets), LAN and
  // WAN alike, since libtorrent marks per socket, not per peer class (a LAN
  // switch ignores the mark or puts the bulk copy behind people's traffic,
  // which is what we want there too). Tracker HTTP is not marked. Changed at
  // run time with SwarmNode::set_peer_dscp (new connections). Default 1,
  // Lower-Effort (RFC 8622); 0 = unmarked.
  int peer_dscp = 1;

  // Tracker announce URL, e.g. "http://tracker:8080/announce"; empty = no
  // tracker (peers only through add_peer). Default "".
  std::string tracker_url;
  // Per-node key added to the announce URL as "<tracker_key_param>=<key>" so
  // that unenrolled nodes get nothing. Defaults "" and "key".
  std::string tracker_key;
  std::string tracker_key_param = "key";
  // Shortest reannounce interval, seconds (trackers asking for less are
  // ignored below this). Default 30.
  int min_announce_interval_s = 30;
  // A downloading layer that is starved (no connected peer, or peers that send
  // nothing: e.g. a reflector's only peers are endpoints that need the same
  // layer) asks the tracker again after idle_reannounce_min_ms, doubling up
  // to idle_reannounce_max_ms while it stays starved (the tracker's own
  // interval is 30 min). This is how a node that announced before its
  // reflector, its branch peers or the origin's seed finds them, and how
  // endpoints fall back to the origin when their reflector dies.
  // Defaults 2000 and 15000 ms (15 s: an end-game stall costs at most that).
  int idle_reannounce_min_ms = 2000;
  int idle_reannounce_max_ms = 15000;
  // BEP 19 web seeds: base URLs of Range-capable HTTP servers over an origin
  // store. Every layer gets "<base>/<info_hash>/" as a url seed; libtorrent
  // then requests "<base>/<info_hash>/NAME-vVERSION/<path>" (or
  // "<base>/<info_hash>/<file>" for a single-file layer); docs/architecture.md
  // ("Origin") gives the server layout. Only http:// and https://. Default none.
  std::vector<std::string> web_seed_urls;

  // Periodic resume-data saves while a layer downloads: every this many ms,
  // and after every resume_every_pieces pieces; 0 = never. Default never:
  // resume data is trusted only after a clean stop, which saves it anyway
  // (after kill -9 the disk is rechecked), and a v2 save carries the file
  // merkle trees: at 4 GiB, periodic saves held 70 MiB of private memory
  // (docs/benchmarks.md, "Endpoint and reflector memory"). Defaults 0 and 0.
  int resume_interval_ms = 0;
  int resume_every_pieces = 0;
  // LayerProgress events are emitted at most this often, ms. Default 1000.
  int progress_interval_ms = 1000;
  // Peers banned for bad data are kept in data_dir/banned-peers and blocked
  // (libtorrent's IP filter) for this long, across restarts, seconds.
  // Default 86400 (a day: addresses get reassigned).
  int64_t ban_ttl_s = 86400;

  Status validate() const;
};

}  // namespace bc
