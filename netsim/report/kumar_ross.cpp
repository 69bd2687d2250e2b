#include "netsim/report/kumar_ross.hpp"

#include <algorithm>
#include <cmath>

namespace bc::netsim {

double kumar_ross_lower_bound_s(double file_bytes, const SwarmCapacity& c) {
  if (!(c.server_up_bytes_per_s > 0) || c.peer_down_bytes_per_s.empty() ||
      c.peer_down_bytes_per_s.size() != c.peer_up_bytes_per_s.size())
    return -1;
  if (file_bytes <= 0) return 0;
  double d_min = c.peer_down_bytes_per_s.front(), sum_up = 0;
  for (std::size_t i = 0; i < c.peer_down_bytes_per_s.size(); ++i) {
    if (!(c.peer_down_bytes_per_s[i] > 0) || c.peer_up_bytes_per_s[i] < 0) return -1;
    d_min = std::min(d_min, c.peer_down_bytes_per_s[i]);
    sum_up += c.peer_up_bytes_per_s[i];
  }
  double n = static_cast<double>(c.peer_down_bytes_per_s.size());
  return std::max({file_bytes / c.server_up_bytes_per_s, file_bytes / d_min,
                   n * file_bytes / (c.server_up_bytes_per_s + sum_up)});
}

SwarmCapacity branch_capacity(const Scenario& s, const BranchDef& b) {
  SwarmCapacity c;
  c.server_up_bytes_per_s = static_cast<double>(std::min(b.wan.down_bytes_per_s, s.datacenter.uplink_bytes_per_s));
  std::size_t n = b.reflectors + b.endpoints;
  c.peer_down_bytes_per_s.assign(n, static_cast<double>(b.lan_bytes_per_s));
  c.peer_up_bytes_per_s.assign(n, static_cast<double>(b.lan_bytes_per_s));
  return c;
}

bool assignment_targets(const AssignmentDef& a, const std::string& branch) {
  return a.branches.empty() || std::find(a.branches.begin(), a.branches.end(), branch) != a.branches.end();
}

std::uint64_t assignment_new_bytes(const Scenario& s, std::size_t index, const std::string& branch) {
  const AssignmentDef& a = s.assignments.at(index);
  const LayerDef* l = s.layer(a.layer);
  if (l == nullptr || !assignment_targets(a, branch)) return 0;
  bool held_other = false, held_same = false;
  for (std::size_t j = 0; j < s.assignments.size(); ++j) {
    const AssignmentDef& p = s.assignments[j];
    // Earlier: before in time, or at the same time and listed before.
    bool earlier = p.at_ms < a.at_ms || (p.at_ms == a.at_ms && j < index);
    if (!earlier || p.layer != a.layer || !assignment_targets(p, branch)) continue;
    held_other = held_other || p.version != a.version;
    held_same = held_same || p.version == a.version;
  }
  if (held_same) return 0;
  if (held_other && l->v2_change_ratio)
    return static_cast<std::uint64_t>(std::llround(*l->v2_change_ratio * static_cast<double>(l->size_bytes)));
  return l->size_bytes;
}

std::uint64_t branch_new_content_bytes(const Scenario& s, const std::string& branch) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < s.assignments.size(); ++i) sum += assignment_new_bytes(s, i, branch);
  return sum;
}

}  // namespace bc::netsim
