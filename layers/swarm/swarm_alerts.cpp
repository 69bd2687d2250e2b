// SwarmNode: libtorrent alerts -> our events, progress ticks, resume data.
#include <libtorrent/alert_types.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/peer_info.hpp>
#include <libtorrent/write_resume_data.hpp>

#include <cstdio>
#include <cstdlib>

#include "layers/swarm/swarm_node_impl.hpp"
#include "layers/util/fs.hpp"

namespace bc {

namespace lt = libtorrent;

namespace {
std::string ip_of(const lt::tcp::endpoint& ep) {
  auto a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  return a.to_string();
}
// BC_SWARM_TRACE=1 in the environment: peer connections and, while a
// download is starved, every peer's state go to stderr (diagnosis of stalls
// on emulated WANs; off by default, nothing else changes).
bool trace_on() {
  static const bool on = [] {
    const char* v = std::getenv("BC_SWARM_TRACE");
    return v && *v && *v != '0';
  }();
  return on;
}

void trace_peers(const std::string& layer, const lt::torrent_handle& h, int64_t starved_ms) {
  std::vector<lt::peer_info> peers;
  h.get_peer_info(peers);
  lt::torrent_status st = h.status();
  std::fprintf(stderr, "swarm-trace %s starved %lld ms, %.1f%%, %zu peers\n", layer.c_str(),
               static_cast<long long>(starved_ms), st.progress * 100.0, peers.size());
  for (const auto& p : peers) {
    std::fprintf(stderr,
                 "swarm-trace   %s %s%s choked=%d interested=%d seed=%d queue=%d reqs=%d rtt=%d down=%lld pieces=%d\n",
                 ip_of(p.ip).c_str(), (p.flags & lt::peer_info::utp_socket) ? "utp" : "tcp",
                 (p.flags & lt::peer_info::snubbed) ? " snubbed" : "",
                 bool(p.flags & lt::peer_info::choked), bool(p.flags & lt::peer_info::interesting),
                 bool(p.flags & lt::peer_info::seed), p.download_queue_length, p.requests_in_buffer, p.rtt,
                 static_cast<long long>(p.total_download), p.num_pieces);
  }
}
}  // namespace

bool SwarmNode::Impl::saves_pending() const {
  for (const auto& [key, l] : layers)
    if (l.save_pending) return true;
  return false;
}

void SwarmNode::Impl::report_ban(LayerState& l, const std::string& ip, const std::string& reason,
                                 std::vector<SwarmEvent>& out) {
  constexpr size_t kMaxBannedReported = 4096;
  if (l.banned_reported.count(ip) || l.banned_reported.size() >= kMaxBannedReported) return;
  l.banned_reported.insert(ip);
  out.push_back(PeerBanned{l.ref, ip, reason});
  // Remembered across restarts: libtorrent's own ban lives in memory only,
  // and a process that crashed or was killed would dial the peer again.
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  auto fresh = bans->add(ip, now_s);
  if (!fresh.ok() || *fresh) apply_ban_filter();
}

void SwarmNode::Impl::request_resume(LayerState& l) {
  if (!l.handle.is_valid() || l.save_pending) return;
  l.handle.save_resume_data(lt::torrent_handle::flush_disk_cache);
  l.save_pending = true;
  l.pieces_since_save = 0;
  l.dirty = false;
  l.last_save = std::chrono::steady_clock::now();
}

void SwarmNode::Impl::write_resume(LayerState& l, const lt::add_torrent_params& p, std::vector<SwarmEvent>& out) {
  std::vector<char> buf = lt::write_resume_data_buf(p);
  Status s = write_file_atomic(l.resume_path, std::string_view(buf.data(), buf.size()), 0644);
  out.push_back(ResumeSaved{l.ref, s.ok(), s.ok() ? "" : s.to_string()});
}

std::vector<SwarmEvent> SwarmNode::poll_events(int timeout_ms) {
  Impl& m = *impl_;
  std::vector<SwarmEvent> out;
  m.ses->wait_for_alert(lt::milliseconds(std::max(timeout_ms, 0)));
  std::vector<lt::alert*> alerts;
  m.ses->pop_alerts(&alerts);
  for (lt::alert* a : alerts) m.translate(a, out);
  m.on_tick(out);
  return out;
}

void SwarmNode::Impl::on_tick(std::vector<SwarmEvent>& out) {
  auto now = std::chrono::steady_clock::now();
  if (now - last_progress >= std::chrono::milliseconds(options.progress_interval_ms)) {
    last_progress = now;
    ses->post_torrent_updates(lt::torrent_handle::query_pieces);
  }
  if (!crash_bans.empty() && !layers.empty()) {
    for (const auto& ip : crash_bans)
      report_ban(layers.begin()->second, ip, "sent a corrupt piece just before this node stopped uncleanly", out);
    crash_bans.clear();
  }
  for (auto& [key, l] : layers) {
    if (options.resume_interval_ms > 0 && l.dirty &&
        now - l.last_save >= std::chrono::milliseconds(options.resume_interval_ms))
      request_resume(l);
    for (const auto& ip : l.tap->take_banned()) report_ban(l, ip.to_string(), "banned for sending bad data", out);
    reannounce_if_alone(l, now);
  }
}

void SwarmNode::Impl::reannounce_if_alone(LayerState& l, SteadyTime now) {
  if (options.tracker_url.empty() || l.mode != LayerMode::download || !l.checked || l.seeding) return;
  const uint64_t rx = downloaded(l).total();
  if (rx != l.rx_bytes || l.rx_at == SteadyTime{}) {
    l.rx_bytes = rx;
    l.rx_at = now;
  }
  if (now - l.rx_at < std::chrono::milliseconds(options.idle_reannounce_min_ms)) {
    l.idle_backoff_ms = 0;  // data flows: the tracker's interval applies again
    return;
  }
  if (l.idle_backoff_ms != 0 && now < l.next_idle_announce) return;  // 0: just starved, ask now
  if (trace_on())
    trace_peers(l.ref.to_string(), l.handle,
                std::chrono::duration_cast<std::chrono::milliseconds>(now - l.rx_at).count());
  l.handle.force_reannounce(0, -1, lt::torrent_handle::ignore_min_interval);
  l.idle_backoff_ms = l.idle_backoff_ms == 0 ? options.idle_reannounce_min_ms
                                             : std::min(l.idle_backoff_ms * 2, options.idle_reannounce_max_ms);
  l.next_idle_announce = now + std::chrono::milliseconds(l.idle_backoff_ms);
}

void SwarmNode::Impl::translate(lt::alert* a, std::vector<SwarmEvent>& out) {
  if (auto* su = lt::alert_cast<lt::state_update_alert>(a)) {
    for (const lt::torrent_status& st : su->status) {
      LayerState* l = find(st.handle);
      if (!l) continue;
      l->peers = st.num_peers;
      l->seeding = st.is_seeding;
      out.push_back(LayerProgress{l->ref, verified_bytes(*l, st), uint64_t(st.total_wanted),
                                  st.download_payload_rate, st.upload_payload_rate, st.num_peers, downloaded(*l)});
    }
    return;
  }
  if (auto* sr = lt::alert_cast<lt::save_resume_data_alert>(a)) {
    if (LayerState* l = find(sr->handle)) {
      l->save_pending = false;
      write_resume(*l, sr->params, out);
    }
    return;
  }
  if (auto* sf = lt::alert_cast<lt::save_resume_data_failed_alert>(a)) {
    LayerState* l = find(sf->handle);
    if (l) l->save_pending = false;
    // "not modified" is not a failure worth reporting.
    if (l && sf->error != lt::errors::resume_data_not_modified)
      out.push_back(ResumeSaved{l->ref, false, sf->error.message()});
    return;
  }
  if (trace_on()) {
    if (auto* pd = lt::alert_cast<lt::peer_disconnected_alert>(a))
      std::fprintf(stderr, "swarm-trace %s\n", pd->message().c_str());
    else if (auto* pc = lt::alert_cast<lt::peer_connect_alert>(a))
      std::fprintf(stderr, "swarm-trace %s\n", pc->message().c_str());
    else if (auto* pe = lt::alert_cast<lt::peer_error_alert>(a))
      std::fprintf(stderr, "swarm-trace %s\n", pe->message().c_str());
  }
  auto* ta = dynamic_cast<lt::torrent_alert*>(a);
  if (!ta) return;
  LayerState* l = find(ta->handle);
  if (!l) return;
  if (auto* e = lt::alert_cast<lt::add_torrent_alert>(a)) {
    if (e->error) out.push_back(LayerError{l->ref, "add: " + e->error.message()});
  } else if (lt::alert_cast<lt::torrent_checked_alert>(a)) {
    l->checked = true;
    lt::torrent_status st = l->handle.status(lt::torrent_handle::query_pieces);
    out.push_back(LayerChecked{l->ref, verified_bytes(*l, st), uint64_t(st.total_wanted), downloaded(*l)});
    for (const auto& ep : l->pending_peers) connect(*l, ep);
    l->pending_peers.clear();
  } else if (lt::alert_cast<lt::torrent_finished_alert>(a)) {
    // Every piece passed its hash, but writes may still be queued in the disk
    // thread: a reader right now (apply, verify) could see stale bytes. Say
    // "complete" once libtorrent has flushed them.
    if (!l->complete_reported && !l->flush_pending) {
      l->flush_pending = true;
      l->handle.flush_cache();
    }
  } else if (lt::alert_cast<lt::cache_flushed_alert>(a)) {
    if (l->flush_pending && !l->complete_reported) {
      l->flush_pending = false;
      l->complete_reported = true;
      out.push_back(LayerComplete{l->ref, downloaded(*l)});
      // No save here: the clean stop saves every layer (a save of a large v2
      // layer is tens of MiB of private memory; see SwarmNodeOptions).
    }
  } else if (auto* pf = lt::alert_cast<lt::piece_finished_alert>(a)) {
    (void)pf;
    l->dirty = true;
    if (options.resume_every_pieces > 0 && ++l->pieces_since_save >= options.resume_every_pieces) request_resume(*l);
  } else if (auto* hf = lt::alert_cast<lt::hash_failed_alert>(a)) {
    HashFailed ev{l->ref, int(hf->piece_index), {}};
    for (const auto& ip : l->tap->take_failure(int(hf->piece_index))) ev.peer_ips.push_back(ip.to_string());
    if (ev.peer_ips.size() == 1) add_suspect(ev.peer_ips[0]);  // unambiguous: it alone sent the piece
    out.push_back(std::move(ev));
  } else if (auto* pb = lt::alert_cast<lt::peer_ban_alert>(a)) {
    report_ban(*l, ip_of(pb->endpoint), "sent data that failed the hash check", out);
  } else if (auto* te = lt::alert_cast<lt::tracker_error_alert>(a)) {
    std::string reason = te->error.message();
    if (te->failure_reason()[0]) reason += std::string(": ") + te->failure_reason();
    out.push_back(TrackerError{l->ref, te->tracker_url(), reason, te->times_in_row});
  } else if (auto* fe = lt::alert_cast<lt::file_error_alert>(a)) {
    out.push_back(LayerError{l->ref, std::string("file ") + printable(fe->filename()) + ": " + fe->error.message()});
  } else if (auto* er = lt::alert_cast<lt::torrent_error_alert>(a)) {
    out.push_back(LayerError{l->ref, er->error.message() + " " + printable(er->filename())});
  }
}

}  // namespace bc
