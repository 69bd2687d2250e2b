#include "tracker/bt/swarm.hpp"

namespace bc::tracker::bt {

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
  peers_.at(last->node_id)->index = s.index;
  v.pop_back();
  if (v.empty()) by_branch_.erase(it);
}

Result<const PeerEntry*> Swarm::upsert(const PeerUpdate& u, int64_t now_s) {
  if (!u.v4 && !u.v6) return Status::invalid_argument("peer " + u.node_id + " has no address");
  auto it = peers_.find(u.node_id);
  if (it == peers_.end()) {
    if (peers_.size() >= limits_.max_peers)
      return Status::no_space("swarm holds its limit of " + std::to_string(limits_.max_peers) + " peers");
    auto slot = std::make_unique<Slot>();
    slot->entry.node_id = u.node_id;
    slot->entry.branch = u.branch;
    it = peers_.emplace(u.node_id, std::move(slot)).first;
    index_add(*it->second);
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

bool Swarm::remove(const NodeId& node) {
  auto it = peers_.find(node);
  if (it == peers_.end()) return false;
  if (it->second->entry.seed()) --complete_;
  index_remove(*it->second);
  grants_.release(node);
  peers_.erase(it);
  return true;
}

size_t Swarm::expire(int64_t now_s, int64_t timeout_s) {
  std::vector<NodeId> stale;
  for (const auto& [id, slot] : peers_)
    if (now_s - slot->entry.last_announce_s >= timeout_s) stale.push_back(id);
  for (const NodeId& id : stale) remove(id);
  return stale.size();
}

const PeerEntry* Swarm::find(const NodeId& node) const {
  auto it = peers_.find(node);
  return it == peers_.end() ? nullptr : &it->second->entry;
}

std::span<const PeerEntry* const> Swarm::branch(const BranchId& branch) const {
  auto it = by_branch_.find(branch);
  if (it == by_branch_.end()) return {};
  return it->second;
}

}  // namespace bc::tracker::bt
