// SwarmNode: what poll_events drives besides alerts (progress requests,
// periodic resume saves, bans and their expiry, idle reannounces), and the
// bounded resume save at shutdown. Time is the node's clock only.
#include <libtorrent/write_resume_data.hpp>

#include <algorithm>

#include "layers/swarm/swarm_node_impl.hpp"
#include "layers/swarm/swarm_trace.hpp"
#include "layers/util/fs.hpp"

namespace bc {

namespace lt = libtorrent;

namespace {
// The resume save at destruction is bounded by the clock and, for a clock
// that does not move (a ManualClock), by counts of waits: at most
// kShutdownIdleWaits that saw no alert (each <= kShutdownWaitMs) and at most
// kShutdownWaits in all.
constexpr int64_t kShutdownSaveWaitMs = 10'000;
constexpr int kShutdownWaitMs = 100;
constexpr int kShutdownIdleWaits = kShutdownSaveWaitMs / kShutdownWaitMs;
constexpr int kShutdownWaits = 10'000;
constexpr int64_t kBanExpiryEveryMs = 1000;
constexpr size_t kMaxBannedReported = 4096;
}  // namespace

std::vector<SwarmEvent> SwarmNode::poll_events(int timeout_ms) {
  Impl& m = *impl_;
  std::vector<SwarmEvent> out;
  for (lt::alert* a : m.session->pop_alerts(timeout_ms)) m.on_alert(a, out);
  m.on_tick(out);
  return out;
}

void SwarmNode::Impl::on_tick(Events& out) {
  const int64_t now = clock->now_ms();
  if (!last_progress_ms || now - *last_progress_ms >= options.progress_interval_ms) {
    last_progress_ms = now;
    session->lt().post_torrent_updates(lt::torrent_handle::query_pieces);
  }
  if (!layers.empty())
    for (const auto& ip : guard->take_crash_bans())
      report_ban(layers.begin()->second, ip, "sent a corrupt piece just before this node stopped uncleanly", out);
  for (auto& [key, l] : layers) {
    if (options.resume_interval_ms > 0 && l.dirty && now - l.last_save_ms >= options.resume_interval_ms)
      request_resume(l);
    for (const auto& ip : l.tap->take_banned()) report_ban(l, ip.to_string(), "banned for sending bad data", out);
    reannounce_if_alone(l, now);
  }
  expire_bans(now);
  report_refusals(out);
}

void SwarmNode::Impl::report_refusals(Events& out) {
  for (auto& r : session->cert_guard()->take_refusals()) {
    const char* reason = r.reason == CertRefusalReason::revoked      ? "revoked"
                         : r.reason == CertRefusalReason::wrong_name ? "wrong_name"
                         : r.reason == CertRefusalReason::expired    ? "expired"
                                                                     : "no_certificate";
    for (const auto& [key, l] : layers)
      if (l.torrent_name == r.torrent_name)
        out.push_back(PeerRefused{l.ref, r.peer, reason, r.serial_hex, std::move(r.message)});
  }
}

void SwarmNode::Impl::expire_bans(int64_t now_ms) {
  if (now_ms - last_ban_expiry_ms < kBanExpiryEveryMs) return;
  last_ban_expiry_ms = now_ms;
  if (guard->expire_bans()) session->set_bans(guard->bans());
}

void SwarmNode::Impl::report_ban(LayerState& l, const std::string& ip, const std::string& reason, Events& out) {
  if (l.banned_reported.count(ip) || l.banned_reported.size() >= kMaxBannedReported) return;
  l.banned_reported.insert(ip);
  out.push_back(PeerBanned{l.ref, ip, reason});
  // Remembered across restarts: libtorrent's own ban lives in memory only,
  // and a process that crashed or was killed would dial the peer again.
  auto fresh = guard->ban(ip);
  if (!fresh.ok() || *fresh) session->set_bans(guard->bans());
}

void SwarmNode::Impl::request_resume(LayerState& l) {
  if (!l.handle.is_valid() || l.save_pending) return;
  l.handle.save_resume_data(lt::torrent_handle::flush_disk_cache);
  l.save_pending = true;
  l.pieces_since_save = 0;
  l.dirty = false;
  l.last_save_ms = clock->now_ms();
}

void SwarmNode::Impl::write_resume(LayerState& l, const lt::add_torrent_params& p, Events& out) {
  std::vector<char> buf = lt::write_resume_data_buf(p);
  Status s = write_file_atomic(l.resume_path, std::string_view(buf.data(), buf.size()), 0644);
  out.push_back(ResumeSaved{l.ref, s.ok(), s.ok() ? "" : s.to_string()});
}

bool SwarmNode::Impl::saves_pending() const {
  return std::any_of(layers.begin(), layers.end(), [](const auto& kv) { return kv.second.save_pending; });
}

bool SwarmNode::Impl::save_all_resume() {
  for (auto& [key, l] : layers)
    if (l.mode == LayerMode::download) request_resume(l);
  const int64_t deadline = clock->now_ms() + kShutdownSaveWaitMs;
  Events ignored;
  int idle = 0;
  for (int waits = 0; waits < kShutdownWaits && idle < kShutdownIdleWaits && saves_pending(); ++waits) {
    if (clock->now_ms() >= deadline) break;
    auto alerts = session->pop_alerts(kShutdownWaitMs);
    if (alerts.empty()) ++idle;
    for (lt::alert* a : alerts) on_alert(a, ignored);
  }
  return !saves_pending();
}

void SwarmNode::Impl::reannounce_if_alone(LayerState& l, int64_t now) {
  if (options.tracker_url.empty() || l.mode != LayerMode::download || !l.checked || l.seeding) return;
  const uint64_t rx = downloaded(l).total();
  if (rx != l.rx_bytes || !l.rx_at_ms) {
    l.rx_bytes = rx;
    l.rx_at_ms = now;
  }
  if (now - *l.rx_at_ms < options.idle_reannounce_min_ms) {
    l.idle_backoff_ms = 0;  // data flows: the tracker's interval applies again
    return;
  }
  if (l.idle_backoff_ms != 0 && now < l.next_idle_announce_ms) return;  // 0: just starved, ask now
  if (swarm_trace_on()) trace_starved_peers(l.ref.to_string(), l.handle, now - *l.rx_at_ms);
  l.handle.force_reannounce(0, -1, lt::torrent_handle::ignore_min_interval);
  l.idle_backoff_ms = l.idle_backoff_ms == 0 ? options.idle_reannounce_min_ms
                                             : std::min(l.idle_backoff_ms * 2, options.idle_reannounce_max_ms);
  l.next_idle_announce_ms = now + l.idle_backoff_ms;
}

}  // namespace bc
