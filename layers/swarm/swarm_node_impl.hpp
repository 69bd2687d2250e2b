// Internal state of SwarmNode, shared by its parts. Not part of the public API.
//   swarm_node.cpp    the public methods: start, layers, peers, limits, status
//   swarm_alerts.cpp  libtorrent alerts -> SwarmEvents, one handler per alert type
//   swarm_tick.cpp    what poll_events drives: progress, resume saves, bans,
//                     idle reannounces, and the bounded resume save at shutdown
// Their collaborators each own one concern: crash_guard (marker, suspects,
// bans), swarm_session (the libtorrent session, filters, shutdown),
// layer_params (add_torrent_params), socket_buffer_cap (/proc caps).
// Time: only `clock` (SwarmNodeOptions::clock, or the SystemClock in own_clock).
#pragma once

#include <libtorrent/alert_types.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_status.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "layers/swarm/crash_guard.hpp"
#include "layers/swarm/node_cert.hpp"
#include "layers/swarm/peer_tap.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "layers/swarm/swarm_session.hpp"
#include "layers/torrent/layer_torrent.hpp"

namespace bc {

// swarm_tls.cpp: OK when the torrent's kind (SSL or plain) is the node's.
Status check_layer_transport(const TorrentFacts& facts, bool insecure_plain_peers);

struct LayerState {
  LayerRef ref;
  LayerMode mode = LayerMode::download;
  libtorrent::torrent_handle handle;
  std::string info_hash;  // v2, hex
  std::string torrent_name;  // the info dict's name, "NAME-vVERSION"
  bool ssl = false;          // an SSL torrent (its CA in the info dict)
  std::string resume_path;
  std::vector<std::string> web_seeds;  // the per-layer URLs on the torrent (set_layer_web_seeds)
  int piece_length = 0;
  std::shared_ptr<PeerTapState> tap;
  bool checked = false;
  bool complete_reported = false;
  bool flush_pending = false;  // finished; LayerComplete waits for the disk flush
  bool dirty = false;         // pieces finished since the last resume save
  bool save_pending = false;  // a save_resume_data request is in flight
  std::set<std::string> banned_reported;  // PeerBanned sent once per address
  int pieces_since_save = 0;
  int64_t last_save_ms = 0;  // clock
  std::vector<libtorrent::tcp::endpoint> pending_peers;
  // From the latest state update: connected peers and whether every piece is held.
  int peers = 0;
  bool seeding = false;
  // Idle reannounce (SwarmNodeOptions::idle_reannounce_*): when to ask the
  // tracker again while alone (clock ms), and the current backoff.
  int64_t next_idle_announce_ms = 0;
  int idle_backoff_ms = 0;
  // Payload received so far (peer tap) and when it last grew (clock ms;
  // nullopt = not yet looked): "starved" is judged on this, not libtorrent's
  // rate, which decays over ~20 s.
  uint64_t rx_bytes = 0;
  std::optional<int64_t> rx_at_ms;
};

struct SwarmNode::Impl {
  using Events = std::vector<SwarmEvent>;

  SwarmNodeOptions options;
  std::unique_ptr<Clock> own_clock;  // when options.clock is null; declared before the session it outlives
  const Clock* clock = nullptr;
  std::optional<CrashGuard> guard;
  std::unique_ptr<SwarmSession> session;
  SourceClassifier classifier;
  std::map<std::string, LayerState> layers;                    // by LayerRef::to_string()
  std::map<libtorrent::torrent_handle, std::string> by_handle;  // -> key of `layers`
  std::map<std::string, std::vector<std::string>> layer_web_seeds;  // set_layer_web_seeds, by info-hash
  std::optional<int64_t> last_progress_ms;
  int64_t last_ban_expiry_ms = 0;
  SwarmNode::WanBytes retired_wan;  // WAN bytes of layers removed from the session
  std::optional<NodeCertificate> cert;  // set_certificate's; none yet = no SSL peer at all

  LayerState* find(const libtorrent::torrent_handle& h);
  LayerState* find(const LayerRef& ref);
  BytesBySource downloaded(const LayerState& l) const;
  // WAN-class payload bytes of one layer (its peer tap), as classed now.
  SwarmNode::WanBytes wan_bytes(const LayerState& l) const;
  // Payload bytes in verified pieces. REQUIRES: st queried with query_pieces.
  uint64_t verified_bytes(const LayerState& l, const libtorrent::torrent_status& st) const;
  // The transport follows options.outgoing_utp: libtorrent has no per-peer choice.
  void connect(LayerState& l, const libtorrent::tcp::endpoint& ep) { l.handle.connect_peer(ep); }

  // swarm_tick.cpp
  void on_tick(Events& out);
  void request_resume(LayerState& l);
  void write_resume(LayerState& l, const libtorrent::add_torrent_params& p, Events& out);
  bool saves_pending() const;
  // Saves every downloading layer's resume data, bounded; true when all saved.
  bool save_all_resume();
  // Asks the tracker again for a downloading layer that is starved: no peer,
  // or peers that send nothing (they hold nothing we lack). Bounded backoff.
  void reannounce_if_alone(LayerState& l, int64_t now_ms);
  void report_ban(LayerState& l, const std::string& ip, const std::string& reason, Events& out);
  void expire_bans(int64_t now_ms);
  // The certificate guard's drops since the last tick, as PeerRefused events.
  void report_refusals(Events& out);
  // Hands the node's certificate to an SSL layer's TLS context. libtorrent
  // makes that context when the torrent starts (torrent_need_cert_alert) and
  // ignores a certificate given before, so both set_certificate and that
  // alert call this.
  void apply_cert(LayerState& l);

  // swarm_alerts.cpp: on_alert dispatches on the alert's type.
  void on_alert(libtorrent::alert* a, Events& out);
  void on_state_update(const libtorrent::state_update_alert& a, Events& out);
  void on_resume_saved(const libtorrent::save_resume_data_alert& a, Events& out);
  void on_resume_failed(const libtorrent::save_resume_data_failed_alert& a, Events& out);
  void on_layer_alert(LayerState& l, libtorrent::alert* a, Events& out);
  void on_added(LayerState& l, const libtorrent::add_torrent_alert& a, Events& out);
  void on_checked(LayerState& l, Events& out);
  void on_finished(LayerState& l);
  void on_flushed(LayerState& l, Events& out);
  void on_piece_finished(LayerState& l);
  void on_hash_failed(LayerState& l, const libtorrent::hash_failed_alert& a, Events& out);
  void on_tracker_error(LayerState& l, const libtorrent::tracker_error_alert& a, Events& out);
};

}  // namespace bc
