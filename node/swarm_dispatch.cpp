#include "node/swarm_dispatch.hpp"

#include <spdlog/logger.h>

namespace bc::node {

namespace {

void log_notice(const HashFailed& h, spdlog::logger& log) {
  std::string from;
  for (const auto& ip : h.peer_ips) from += (from.empty() ? "" : ", ") + ip;
  log.warn("{}: piece {} failed its hash check (from {}); fetched again", h.layer.to_string(), h.piece,
           from.empty() ? "unknown" : from);
}

void on_checked(const LayerChecked& k, const SwarmHandlers& h, spdlog::logger& log) {
  // What is on disk was hashed: after a restart (or content seeded from
  // held layers) only the rest goes to the network.
  log.info("{}: checked: {} of {} bytes verified on disk", k.layer.to_string(), k.done_bytes, k.total_bytes);
  if (h.on_checked) h.on_checked(k);
  if (k.total_bytes > 0 && k.done_bytes == k.total_bytes && h.on_complete) h.on_complete(k.layer, k.downloaded);
}

}  // namespace

void dispatch_swarm_event(const SwarmEvent& ev, const SwarmHandlers& h, spdlog::logger& log) {
  if (auto* p = std::get_if<LayerProgress>(&ev)) {
    if (h.on_progress) h.on_progress(*p);
  } else if (auto* c = std::get_if<LayerComplete>(&ev)) {
    if (h.on_complete) h.on_complete(c->layer, c->downloaded);
  } else if (auto* k = std::get_if<LayerChecked>(&ev)) {
    on_checked(*k, h, log);
  } else if (auto* e = std::get_if<LayerError>(&ev)) {
    if (h.on_error) h.on_error(*e);
  } else if (auto* f = std::get_if<HashFailed>(&ev)) {
    log_notice(*f, log);
  } else if (auto* b = std::get_if<PeerBanned>(&ev)) {
    log.warn("{}: peer {} banned: {}", b->layer.to_string(), b->peer_ip, b->reason);
  } else if (auto* t = std::get_if<TrackerError>(&ev)) {
    if (t->times_in_row == 1)  // once per outage, not every retry
      log.warn("{}: tracker announce failed: {} (continuing with known peers)", t->layer.to_string(), t->reason);
  } else if (auto* r = std::get_if<ResumeSaved>(&ev)) {
    if (!r->ok) log.warn("{}: resume data not saved: {}", r->layer.to_string(), r->reason);
  }
}

}  // namespace bc::node
