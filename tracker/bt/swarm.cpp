#include "tracker/bt/swarm.hpp"

#include <algorithm>
#include <functional>
#include <string_view>

namespace bc::tracker::bt {

size_t Swarm::KeyHash::operator()(const Key& k) const {
  size_t h = std::hash<std::string>()(k.first);
  std::string_view a(reinterpret_cast<const char*>(k.second.bytes.data()), k.second.bytes.size());
  return h ^ (std::hash<std::string_view>()(a) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2) + k.second.v6);
}

Swarm::Swarm(uint64_t total_bytes, const SwarmLimits& limits)
    : total_bytes_(total_bytes),
      limits_(limits),
      ledger_(limits.handout_interval_s),
      grants_(limits.origin_grants) {}

void Swarm::index_add(Slot& s) {
  auto& v = by_branch_[s.entry.branch];
  s.index = v.size();
  v.push_back(&s.entry);
}

void Swarm::index_remove(Slot& s) {
  auto it = by_branch_.find(s.entry.branch);
  if (it == by_branch_.end()) return;
  auto& v = it->second;
  // Swap-remove: move the last entry into this slot and fix its index.
  const PeerEntry* last = v.back();
  v[s.index] = last;
  peers_.at(key_of(*last))->index = s.index;
  v.pop_back();
  if (v.empty()) by_branch_.erase(it);
}

Result<const PeerEntry*> Swarm::upsert(const PeerUpdate& u, int64_t now_s) {
  if (!u.v4 && !u.v6) return Status::invalid_argument("peer " + u.node_id + " has no address");
  auto it = peers_.find(Key{u.node_id, u.source});
  if (it == peers_.end()) {
    if (peers_.size() >= limits_.max_peers)
      return Status::no_space("swarm holds its limit of " + std::to_string(limits_.max_peers) + " peers");
    std::vector<const PeerEntry*>& mine = by_node_[u.node_id];
    if (mine.size() >= limits_.max_entries_per_node)
      return Status::no_space("node " + u.node_id + " already announces this swarm from " +
                              std::to_string(mine.size()) + " addresses; an address's entry ages out after its "
                              "last announce");
    auto slot = std::make_unique<Slot>();
    slot->entry.node_id = u.node_id;
    slot->entry.source = u.source;
    slot->entry.branch = u.branch;
    it = peers_.emplace(Key{u.node_id, u.source}, std::move(slot)).first;
    index_add(*it->second);
    mine.push_back(&it->second->entry);
  } else {
    if (it->second->entry.seed()) --complete_;
    if (it->second->entry.branch != u.branch) {  // roamed: move to the new branch's index
      index_remove(*it->second);
      it->second->entry.branch = u.branch;
      index_add(*it->second);
    }
  }
  PeerEntry& e = it->second->entry;
  e.role = u.role;
  e.v4 = u.v4;
  e.v6 = u.v6;
  e.left_bytes = u.left_bytes;
  e.completeness_permille = completeness_permille(u.left_bytes, total_bytes_);
  e.has_pieces = u.left_bytes == 0 || u.left_bytes < total_bytes_;
  e.last_announce_s = now_s;
  if (e.seed()) ++complete_;
  return &e;
}

bool Swarm::remove(const NodeId& node, const IpAddress& source) {
  auto it = peers_.find(Key{node, source});
  if (it == peers_.end()) return false;
  if (it->second->entry.seed()) --complete_;
  index_remove(*it->second);
  auto mine = by_node_.find(node);
  std::erase(mine->second, &it->second->entry);
  // The grant belongs to the node; it goes with the node's last entry.
  if (mine->second.empty()) {
    by_node_.erase(mine);
    grants_.release(node);
  }
  peers_.erase(it);
  return true;
}

size_t Swarm::expire(int64_t now_s, int64_t timeout_s) {
  std::vector<Key> stale;
  for (const auto& [key, slot] : peers_)
    if (now_s - slot->entry.last_announce_s >= timeout_s) stale.push_back(key);
  for (const Key& k : stale) remove(k.first, k.second);
  return stale.size();
}

const PeerEntry* Swarm::find(const NodeId& node, const IpAddress& source) const {
  auto it = peers_.find(Key{node, source});
  return it == peers_.end() ? nullptr : &it->second->entry;
}

const PeerEntry* Swarm::find(const NodeId& node) const {
  auto it = by_node_.find(node);
  if (it == by_node_.end() || it->second.empty()) return nullptr;
  return *std::max_element(it->second.begin(), it->second.end(), [](const PeerEntry* a, const PeerEntry* b) {
    return a->last_announce_s < b->last_announce_s;
  });
}

size_t Swarm::entries_of(const NodeId& node) const {
  auto it = by_node_.find(node);
  return it == by_node_.end() ? 0 : it->second.size();
}

std::span<const PeerEntry* const> Swarm::branch(const BranchId& branch) const {
  auto it = by_branch_.find(branch);
  if (it == by_branch_.end()) return {};
  return it->second;
}

}  // namespace bc::tracker::bt
