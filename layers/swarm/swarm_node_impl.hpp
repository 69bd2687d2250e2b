// Internal state of SwarmNode (layers/swarm/swarm_node.cpp and
// swarm_alerts.cpp). Not part of the public API.
#pragma once

#include <boost/asio/io_context.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_status.hpp>

#include <chrono>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "layers/swarm/ban_list.hpp"
#include "layers/swarm/pacer_plugin.hpp"
#include "layers/swarm/peer_tap.hpp"
#include "layers/swarm/swarm_node.hpp"

namespace bc {

using SteadyTime = std::chrono::steady_clock::time_point;

struct LayerState {
  LayerRef ref;
  LayerMode mode = LayerMode::download;
  libtorrent::torrent_handle handle;
  std::string info_hash;  // v2, hex
  std::string resume_path;
  int piece_length = 0;
  std::shared_ptr<PeerTapState> tap;
  bool checked = false;
  bool complete_reported = false;
  bool flush_pending = false;  // finished; LayerComplete waits for the disk flush
  bool dirty = false;         // pieces finished since the last resume save
  bool save_pending = false;  // a save_resume_data request is in flight
  std::set<std::string> banned_reported;  // PeerBanned sent once per address
  int pieces_since_save = 0;
  SteadyTime last_save{};
  std::vector<libtorrent::tcp::endpoint> pending_peers;
  // From the latest state update: connected peers and whether every piece is held.
  int peers = 0;
  bool seeding = false;
  // Idle reannounce (SwarmNodeOptions::idle_reannounce_*): when to ask the
  // tracker again while alone, and the current backoff.
  SteadyTime next_idle_announce{};
  int idle_backoff_ms = 0;
  // Payload received so far (peer tap) and when it last grew: "starved" is
  // judged on this, not libtorrent's rate, which decays over ~20 s.
  uint64_t rx_bytes = 0;
  SteadyTime rx_at{};
};

struct SwarmNode::Impl {
  SwarmNodeOptions options;
  // libtorrent's network thread runs our io_context, so the request pacer's
  // timer runs on it too (session(params, io_context&): the session must be
  // aborted, then destroyed, then the io_context drained, see ~SwarmNode).
  std::unique_ptr<boost::asio::io_context> ios;
  std::thread net_thread;
  std::shared_ptr<PacerHub> pacer;
  std::unique_ptr<libtorrent::session> ses;
  libtorrent::peer_class_t lan_class{};
  libtorrent::peer_class_t wan_class{};
  SourceClassifier classifier;
  std::map<std::string, LayerState> layers;                    // by LayerRef::to_string()
  std::map<libtorrent::torrent_handle, std::string> by_handle;  // -> key of `layers`
  SteadyTime last_progress{};
  std::string marker_path;
  std::optional<BanList> bans;  // persisted bans (SwarmNodeOptions::ban_ttl_s)
  SwarmNode::WanBytes retired_wan;  // WAN bytes of layers removed from the session
  // Peers that were the only source of a piece that failed its hash check,
  // kept on disk until a clean stop. libtorrent 2.0.8 can crash in the v2
  // hash-request path that follows a failed piece (arvidn/libtorrent#8630),
  // so a node that restarts after a crash bans them: the peer that sent the
  // corrupt piece cannot crash it again and again.
  std::string suspects_path;
  std::set<std::string> suspects;
  std::vector<std::string> crash_bans;  // banned at an unclean start, reported with the first layer
  void add_suspect(const std::string& ip);

  // WAN-class payload bytes of one layer (its peer tap), as classed now.
  SwarmNode::WanBytes wan_bytes(const LayerState& l) const;

  LayerState* find(const libtorrent::torrent_handle& h);
  LayerState* find(const LayerRef& ref);
  BytesBySource downloaded(const LayerState& l) const;
  // Payload bytes in verified pieces. REQUIRES: st queried with query_pieces.
  uint64_t verified_bytes(const LayerState& l, const libtorrent::torrent_status& st) const;
  void apply_class_filter();
  // Aborts the session, destroys it and drains the io_context (libtorrent's
  // order for an external io_context); the pacer's timer stops first.
  void stop_session();
  // Blocks every banned address in libtorrent's IP filter (both directions).
  void apply_ban_filter();
  void set_class_limits(libtorrent::peer_class_t c, int64_t down, int64_t up);
  void connect(LayerState& l, const libtorrent::tcp::endpoint& ep);
  void request_resume(LayerState& l);
  bool saves_pending() const;
  // Asks the tracker again for a downloading layer that is starved: no peer,
  // or peers that send nothing (they hold nothing we lack). Bounded backoff.
  void reannounce_if_alone(LayerState& l, SteadyTime now);
  void report_ban(LayerState& l, const std::string& ip, const std::string& reason, std::vector<SwarmEvent>& out);

  // swarm_alerts.cpp
  void translate(libtorrent::alert* a, std::vector<SwarmEvent>& out);
  void on_tick(std::vector<SwarmEvent>& out);
  void write_resume(LayerState& l, const libtorrent::add_torrent_params& p, std::vector<SwarmEvent>& out);
};

}  // namespace bc
