#include "tracker/peers/peer_registry.hpp"

namespace bc::tracker {

PeerRegistry::PeerRegistry(PeerRegistryOptions options) : options_(options) {}

bool PeerRegistry::upsert(const std::string& info_hash, const PeerEntry& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  auto t = torrents_.find(info_hash);
  if (t == torrents_.end()) {
    if (torrents_.size() >= options_.max_torrents) {
      ++refused_;
      return false;
    }
    t = torrents_.emplace(info_hash, std::map<std::string, PeerEntry>{}).first;
  }
  auto p = t->second.find(peer.node_id);
  if (p == t->second.end() && t->second.size() >= options_.max_peers_per_torrent) {
    ++refused_;
    return false;
  }
  t->second[peer.node_id] = peer;
  return true;
}

void PeerRegistry::remove(const std::string& info_hash, const std::string& node_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto t = torrents_.find(info_hash);
  if (t == torrents_.end()) return;
  t->second.erase(node_id);
  if (t->second.empty()) torrents_.erase(t);
}

std::vector<PeerEntry> PeerRegistry::peers(const std::string& info_hash,
                                           const std::string& branch) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<PeerEntry> out;
  auto t = torrents_.find(info_hash);
  if (t == torrents_.end()) return out;
  for (const auto& [id, p] : t->second)
    if (branch.empty() || p.branch == branch) out.push_back(p);
  return out;
}

size_t PeerRegistry::expire(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t dropped = 0;
  for (auto t = torrents_.begin(); t != torrents_.end();) {
    for (auto p = t->second.begin(); p != t->second.end();) {
      if (now_ms - p->second.last_seen_ms > options_.peer_ttl_ms) {
        p = t->second.erase(p);
        ++dropped;
      } else {
        ++p;
      }
    }
    t = t->second.empty() ? torrents_.erase(t) : std::next(t);
  }
  return dropped;
}

std::map<std::string, int64_t> PeerRegistry::peers_per_branch() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, int64_t> out;
  for (const auto& [ih, peers] : torrents_)
    for (const auto& [id, p] : peers) out[p.branch]++;
  return out;
}

uint64_t PeerRegistry::refused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_;
}

}  // namespace bc::tracker
