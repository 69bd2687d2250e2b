// SwarmNode: libtorrent alerts -> our events. on_alert dispatches on the
// alert's type to one small handler per type; alerts of layers the node no
// longer holds, and types it does not use, are dropped.
#include <libtorrent/alert_types.hpp>
#include <libtorrent/error_code.hpp>

#include "layers/swarm/swarm_node_impl.hpp"
#include "layers/swarm/swarm_trace.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/redact.hpp"

namespace bc {

namespace lt = libtorrent;

namespace {
// REQUIRES: a->type() == A::alert_type.
template <class A>
const A& as(lt::alert* a) {
  return *static_cast<const A*>(a);
}
}  // namespace

void SwarmNode::Impl::on_alert(lt::alert* a, Events& out) {
  trace_alert(a);
  switch (a->type()) {
    case lt::state_update_alert::alert_type:
      return on_state_update(as<lt::state_update_alert>(a), out);
    case lt::save_resume_data_alert::alert_type:
      return on_resume_saved(as<lt::save_resume_data_alert>(a), out);
    case lt::save_resume_data_failed_alert::alert_type:
      return on_resume_failed(as<lt::save_resume_data_failed_alert>(a), out);
    default:
      break;
  }
  auto* ta = dynamic_cast<lt::torrent_alert*>(a);
  if (!ta) return;
  if (LayerState* l = find(ta->handle)) on_layer_alert(*l, a, out);
}

void SwarmNode::Impl::on_layer_alert(LayerState& l, lt::alert* a, Events& out) {
  switch (a->type()) {
    case lt::add_torrent_alert::alert_type:
      return on_added(l, as<lt::add_torrent_alert>(a), out);
    case lt::torrent_checked_alert::alert_type:
      return on_checked(l, out);
    case lt::torrent_finished_alert::alert_type:
      return on_finished(l);
    case lt::cache_flushed_alert::alert_type:
      return on_flushed(l, out);
    case lt::piece_finished_alert::alert_type:
      return on_piece_finished(l);
    case lt::hash_failed_alert::alert_type:
      return on_hash_failed(l, as<lt::hash_failed_alert>(a), out);
    case lt::peer_ban_alert::alert_type:
      return report_ban(l, peer_ip(as<lt::peer_ban_alert>(a).endpoint), "sent data that failed the hash check", out);
    case lt::tracker_error_alert::alert_type:
      return on_tracker_error(l, as<lt::tracker_error_alert>(a), out);
    case lt::torrent_need_cert_alert::alert_type:
      return apply_cert(l);
    case lt::file_error_alert::alert_type: {
      const auto& fe = as<lt::file_error_alert>(a);
      out.push_back(LayerError{l.ref, std::string("file ") + printable(fe.filename()) + ": " + fe.error.message()});
      return;
    }
    case lt::torrent_error_alert::alert_type: {
      const auto& er = as<lt::torrent_error_alert>(a);
      out.push_back(LayerError{l.ref, er.error.message() + " " + printable(er.filename())});
      return;
    }
    default:
      return;
  }
}

void SwarmNode::Impl::on_state_update(const lt::state_update_alert& a, Events& out) {
  for (const lt::torrent_status& st : a.status) {
    LayerState* l = find(st.handle);
    if (!l) continue;
    l->peers = st.num_peers;
    l->seeding = st.is_seeding;
    out.push_back(LayerProgress{l->ref, verified_bytes(*l, st), uint64_t(st.total_wanted), st.download_payload_rate,
                                st.upload_payload_rate, st.num_peers, downloaded(*l)});
  }
}

void SwarmNode::Impl::on_resume_saved(const lt::save_resume_data_alert& a, Events& out) {
  LayerState* l = find(a.handle);
  if (!l) return;
  l->save_pending = false;
  write_resume(*l, a.params, out);
}

void SwarmNode::Impl::on_resume_failed(const lt::save_resume_data_failed_alert& a, Events& out) {
  LayerState* l = find(a.handle);
  if (!l) return;
  l->save_pending = false;
  // "not modified" is not a failure worth reporting.
  if (a.error != lt::errors::resume_data_not_modified) out.push_back(ResumeSaved{l->ref, false, a.error.message()});
}

void SwarmNode::Impl::on_added(LayerState& l, const lt::add_torrent_alert& a, Events& out) {
  if (a.error) out.push_back(LayerError{l.ref, "add: " + a.error.message()});
}

// The files are checked: report what is on disk, then dial the peers queued meanwhile.
void SwarmNode::Impl::on_checked(LayerState& l, Events& out) {
  l.checked = true;
  lt::torrent_status st = l.handle.status(lt::torrent_handle::query_pieces);
  out.push_back(LayerChecked{l.ref, verified_bytes(l, st), uint64_t(st.total_wanted), downloaded(l)});
  for (const auto& ep : l.pending_peers) connect(l, ep);
  l.pending_peers.clear();
}

// Every piece passed its hash, but writes may still be queued in the disk
// thread: a reader right now (apply, verify) could see stale bytes. Say
// "complete" once libtorrent has flushed them (on_flushed).
void SwarmNode::Impl::on_finished(LayerState& l) {
  if (l.complete_reported || l.flush_pending) return;
  l.flush_pending = true;
  l.handle.flush_cache();
}

void SwarmNode::Impl::on_flushed(LayerState& l, Events& out) {
  if (!l.flush_pending || l.complete_reported) return;
  l.flush_pending = false;
  l.complete_reported = true;
  out.push_back(LayerComplete{l.ref, downloaded(l)});
  // No save here: the clean stop saves every layer (a save of a large v2
  // layer is tens of MiB of private memory; see SwarmNodeOptions).
}

void SwarmNode::Impl::on_piece_finished(LayerState& l) {
  l.dirty = true;
  if (options.resume_every_pieces > 0 && ++l.pieces_since_save >= options.resume_every_pieces) request_resume(l);
}

void SwarmNode::Impl::on_hash_failed(LayerState& l, const lt::hash_failed_alert& a, Events& out) {
  HashFailed ev{l.ref, int(a.piece_index), {}};
  for (const auto& ip : l.tap->take_failure(int(a.piece_index))) ev.peer_ips.push_back(ip.to_string());
  if (ev.peer_ips.size() == 1) guard->add_suspect(ev.peer_ips[0]);  // unambiguous: it alone sent the piece
  out.push_back(std::move(ev));
}

void SwarmNode::Impl::on_tracker_error(LayerState& l, const lt::tracker_error_alert& a, Events& out) {
  std::string reason = a.error.message();
  if (a.failure_reason()[0]) reason += std::string(": ") + a.failure_reason();
  // The URL carries the node's announce key (bckey=): never let it out.
  out.push_back(TrackerError{l.ref, redact_secrets(a.tracker_url()), redact_secrets(reason), a.times_in_row});
}

}  // namespace bc
