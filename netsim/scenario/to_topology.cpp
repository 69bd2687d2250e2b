#include "netsim/scenario/to_topology.hpp"

#include <algorithm>
#include <cmath>

namespace bc::netsim {

namespace {

LinkOptions direction(const WanDef& w, std::uint64_t rate, std::uint64_t seed) {
  LinkOptions o;
  o.rate_bytes_per_s = rate;
  o.delay_us = static_cast<std::uint64_t>(std::llround(w.rtt_ms * 500.0));
  o.queue_limit_bytes = w.queue_bytes > 0 ? w.queue_bytes : bytes_for_ms(rate, w.queue_ms);
  o.queue_limit_bytes = std::clamp<std::uint64_t>(o.queue_limit_bytes, o.mtu_bytes, kMaxQueueLimitBytes);
  o.loss_probability = w.loss;
  o.seed = seed;
  return o;
}

}  // namespace

std::string cross_traffic_node(const BranchDef& b) { return b.name + "-xt"; }

Result<TopologySpec> scenario_to_topology(const Scenario& s, const std::string& run_id) {
  TopologySpec spec;
  spec.run_id = run_id;
  spec.datacenter_nodes.push_back({kTrackerNode, s.datacenter.uplink_bytes_per_s});
  bool any_cross = false;
  for (std::size_t k = 0; k < s.branches.size(); ++k) {
    const BranchDef& b = s.branches[k];
    BranchSpec br;
    br.name = b.name;
    br.up = direction(b.wan, b.wan.up_bytes_per_s, s.seed + 2 * k);
    br.down = direction(b.wan, b.wan.down_bytes_per_s, s.seed + 2 * k + 1);
    for (std::size_t i = 1; i <= b.reflectors; ++i) br.nodes.push_back({b.reflector_name(i), b.lan_bytes_per_s});
    for (std::size_t i = 1; i <= b.endpoints; ++i) br.nodes.push_back({b.endpoint_name(i), b.lan_bytes_per_s});
    if (!b.cross_traffic.empty()) {
      // Unshaped: cross traffic is limited by its own sender, not the LAN.
      br.nodes.push_back({cross_traffic_node(b), 0});
      any_cross = true;
    }
    spec.branches.push_back(std::move(br));
  }
  if (any_cross) spec.datacenter_nodes.push_back({kCrossTrafficDcNode, 0});
  BC_RETURN_IF_ERROR(spec.validate());
  return spec;
}

}  // namespace bc::netsim
