// The end of a run: the result, and the invariants every run must keep
// (every targeted node holds what it was assigned; no link carried more than
// its capacity). A failed one is a violation the caller reports with the seed.
#include <algorithm>
#include <cstdio>

#include "netsim/sim/sim_state.hpp"

namespace bc::netsim::sim {

namespace {

double p95(std::vector<float> v) {
  if (v.empty()) return 0;
  const std::size_t k = std::min(v.size() - 1, v.size() * 95 / 100);
  std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
  return double(v[k]);
}

}  // namespace

SimResult finish(SimState& st, bool all_assigned) {
  SimResult& r = st.r;
  r.end_ms = st.now_ms;
  r.all_complete = all_assigned;
  for (const Node& n : st.nodes) {
    if (n.pending.empty()) continue;
    r.all_complete = false;
    // Nodes still fetching when the scenario's duration ran out.
    if (r.violations.size() < 20)
      r.violations.push_back(n.id + ": assignment " + std::to_string(n.pending.front().first) + " incomplete (" +
                             std::to_string(n.pending.front().second) + " chunks missing) at " +
                             std::to_string(st.now_ms) + " ms");
  }
  constexpr double kSlack = 1 + 1e-9;
  if (r.link_use.max_wan_ratio > kSlack)
    r.violations.push_back("a WAN link carried " + std::to_string(r.link_use.max_wan_ratio) + "x its capacity");
  if (r.link_use.max_uplink_ratio > kSlack)
    r.violations.push_back("the datacenter uplink carried " + std::to_string(r.link_use.max_uplink_ratio) + "x its capacity");
  for (BranchState& b : st.branches) {
    b.out.queue_delay_p95_ms = p95(std::move(b.queue_samples_ms));
    r.branches.push_back(std::move(b.out));
  }
  return std::move(r);
}

}  // namespace bc::netsim::sim
