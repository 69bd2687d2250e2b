#include "tracker/bt/origin_grants.hpp"

namespace bc::tracker::bt {

bool OriginGrants::acquire(const BranchId& branch, const NodeId& node, int64_t now_s) {
  expire(now_s);
  auto it = by_node_.find(node);
  if (it != by_node_.end()) {
    if (it->second.branch == branch) {
      it->second.renewed_s = now_s;
      return true;
    }
    release(node);  // the holder moved branch: its grant belongs to the old one
  }
  if (held(branch) >= limits_.per_branch || by_node_.size() >= limits_.total) {
    ++refused_;
    return false;
  }
  by_node_.emplace(node, Grant{branch, now_s});
  ++per_branch_[branch];
  return true;
}

void OriginGrants::release(const NodeId& node) {
  auto it = by_node_.find(node);
  if (it == by_node_.end()) return;
  auto b = per_branch_.find(it->second.branch);
  if (b != per_branch_.end() && --b->second == 0) per_branch_.erase(b);
  by_node_.erase(it);
}

void OriginGrants::expire(int64_t now_s) {
  for (auto it = by_node_.begin(); it != by_node_.end();) {
    if (now_s - it->second.renewed_s >= limits_.ttl_s) {
      auto b = per_branch_.find(it->second.branch);
      if (b != per_branch_.end() && --b->second == 0) per_branch_.erase(b);
      it = by_node_.erase(it);
    } else {
      ++it;
    }
  }
}

size_t OriginGrants::held(const BranchId& branch) const {
  auto it = per_branch_.find(branch);
  return it == per_branch_.end() ? 0 : it->second;
}

}  // namespace bc::tracker::bt
