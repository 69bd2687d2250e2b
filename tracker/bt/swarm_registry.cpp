#include "tracker/bt/swarm_registry.hpp"

namespace bc::tracker::bt {

Status SwarmRegistryOptions::validate() const {
  if (max_swarms == 0) return Status::invalid_argument("max_swarms must be positive");
  if (swarm.max_peers == 0) return Status::invalid_argument("swarm.max_peers must be positive");
  if (swarm.max_entries_per_node == 0) return Status::invalid_argument("swarm.max_entries_per_node must be positive");
  if (peer_timeout_s <= 0) return Status::invalid_argument("peer_timeout_s must be positive");
  if (expiry_scan_interval_s <= 0) return Status::invalid_argument("expiry_scan_interval_s must be positive");
  if (swarm.handout_interval_s <= 0) return Status::invalid_argument("swarm.handout_interval_s must be positive");
  if (swarm.origin_grants.per_branch == 0 || swarm.origin_grants.total == 0)
    return Status::invalid_argument("origin grant limits must be positive");
  if (swarm.origin_grants.ttl_s <= 0) return Status::invalid_argument("origin_grants.ttl_s must be positive");
  return Status();
}

SwarmRegistry::SwarmRegistry(SwarmRegistryOptions options) : options_(std::move(options)) {}

Result<Swarm*> SwarmRegistry::announce(const InfoHash& hash, uint64_t total_bytes, const PeerUpdate& update,
                                       bool stopped, bool completed, int64_t now_s) {
  auto it = swarms_.find(hash);
  if (stopped) {
    if (it != swarms_.end() && it->second.swarm->remove(update.node_id, update.source)) {
      ++counters_.stopped_peers;
      if (it->second.swarm->size() == 0) swarms_.erase(it);
    }
    return static_cast<Swarm*>(nullptr);
  }
  if (it == swarms_.end()) {
    if (swarms_.size() >= options_.max_swarms) {
      ++counters_.refused_swarms;
      return Status::no_space("tracker holds its limit of " + std::to_string(options_.max_swarms) + " swarms");
    }
    it = swarms_.emplace(hash, Entry{std::make_unique<Swarm>(total_bytes, options_.swarm), now_s}).first;
  }
  Entry& e = it->second;
  if (now_s - e.last_scan_s >= options_.expiry_scan_interval_s) {
    counters_.expired_peers += e.swarm->expire(now_s, options_.peer_timeout_s);
    e.last_scan_s = now_s;
  }
  const PeerEntry* before = e.swarm->find(update.node_id, update.source);
  bool was_seed = before && before->seed();
  auto r = e.swarm->upsert(update, now_s);
  if (!r.ok()) {
    if (r.status().code() == Status::Code::no_space) ++counters_.refused_peers;
    if (e.swarm->size() == 0) swarms_.erase(it);
    return r.status();
  }
  if (completed && !was_seed && (*r)->seed()) e.swarm->note_completed();
  return e.swarm.get();
}

Swarm* SwarmRegistry::find(const InfoHash& hash) {
  auto it = swarms_.find(hash);
  return it == swarms_.end() ? nullptr : it->second.swarm.get();
}

const Swarm* SwarmRegistry::find(const InfoHash& hash) const {
  auto it = swarms_.find(hash);
  return it == swarms_.end() ? nullptr : it->second.swarm.get();
}

ScrapeCounts SwarmRegistry::scrape(const InfoHash& hash) const {
  const Swarm* s = find(hash);
  if (!s) return {};
  return {s->complete(), s->incomplete(), s->downloaded()};
}

size_t SwarmRegistry::expire(int64_t now_s) {
  size_t n = 0;
  for (auto it = swarms_.begin(); it != swarms_.end();) {
    n += it->second.swarm->expire(now_s, options_.peer_timeout_s);
    it->second.last_scan_s = now_s;
    if (it->second.swarm->size() == 0)
      it = swarms_.erase(it);
    else
      ++it;
  }
  counters_.expired_peers += n;
  return n;
}

size_t SwarmRegistry::peer_count() const {
  size_t n = 0;
  for (const auto& [h, e] : swarms_) n += e.swarm->size();
  return n;
}

}  // namespace bc::tracker::bt
