// Bandwidth sharing (a fluid model) and the WAN governor, once per step.
//
// WAN: every WAN flow runs origin -> datacenter uplink -> the branch's down
// link -> the node, whose governor limits its WAN download. That is a tree,
// so max-min fairness is exact in two water-fills: per branch over the flows'
// caps (the node's limit split over its flows), then over the uplink with
// the branch's allocations as caps. The branch link's queue grows by what is
// offered beyond its capacity (a governed node offers its limit, an
// ungoverned one is greedy and fills the queue, as TCP does) and drains by
// the spare; its delay is the RTT sample the governor sees.
// LAN: each flow gets min(source port / its uploads, destination port / its
// downloads): one pass, a lower bound of max-min (LAN ports are 10-100x the
// WAN links, so they seldom decide the outcome; docs/netsim.md).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "netsim/sim/sim_state.hpp"

namespace bc::netsim::sim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::int64_t kProbeIntervalMs = 100;  // the RTT prober's default interval

// Max-min level of `caps` sharing `capacity`: flows capped below it get their
// cap, the rest the level; +inf when every cap fits. Sorts caps.
double waterfill(std::vector<double>& caps, double capacity) {
  std::sort(caps.begin(), caps.end());
  double rem = capacity;
  for (std::size_t i = 0; i < caps.size(); ++i) {
    const double share = rem / double(caps.size() - i);
    if (caps[i] > share) return share;
    rem -= caps[i];
  }
  return kInf;
}

double cross_rate(const BranchDef& b, std::int64_t now_ms) {
  double r = 0;
  for (const CrossFlowDef& c : b.cross_traffic)
    if (c.kind == CrossKind::constant && c.direction == netsim::Direction::down && now_ms >= c.start_ms &&
        (c.stop_ms < 0 || now_ms < c.stop_ms))
      r += double(c.rate_bytes_per_s);
  return r;
}

double node_cap(const SimState& st, const Node& n) {
  const double lan = double(st.branches[n.branch].def->lan_bytes_per_s);
  return n.wan_limit < 0 ? lan : std::min(lan, n.wan_limit);
}

void allocate_lan(SimState& st) {
  for (Flow& f : st.flows) {
    if (f.wan) continue;
    const double lan = double(st.branches[st.nodes[f.dst].branch].def->lan_bytes_per_s);
    f.rate = std::min(lan / st.nodes[f.src].lan_uploads, lan / st.nodes[f.dst].downloads);
  }
}

}  // namespace

void allocate_rates(SimState& st) {
  std::vector<int>& wan_flows_of = st.wan_flows_of;
  for (int n : st.wan_nodes) wan_flows_of[n] = 0;
  wan_flows_of.resize(st.nodes.size(), 0);
  st.wan_nodes.clear();
  for (const Flow& f : st.flows)
    if (f.wan && wan_flows_of[f.dst]++ == 0) st.wan_nodes.push_back(f.dst);
  std::sort(st.wan_nodes.begin(), st.wan_nodes.end());
  allocate_lan(st);
  // Per branch: the level of its down link (after cross traffic).
  const std::size_t nb = st.branches.size();
  std::vector<double> level(nb, kInf), capacity(nb), cross(nb);
  std::vector<std::vector<double>> caps(nb);
  for (int n : st.wan_nodes) {
    const double per_flow = node_cap(st, st.nodes[n]) / wan_flows_of[n];
    caps[st.nodes[n].branch].insert(caps[st.nodes[n].branch].end(), wan_flows_of[n], per_flow);
  }
  std::vector<double> up_caps;
  for (std::size_t b = 0; b < nb; ++b) {
    cross[b] = cross_rate(*st.branches[b].def, st.now_ms);
    capacity[b] = double(st.branches[b].def->wan.down_bytes_per_s);
    if (caps[b].empty()) continue;
    level[b] = waterfill(caps[b], std::max(0.0, capacity[b] - cross[b]));
    for (double c : caps[b]) up_caps.push_back(std::min(c, level[b]));
  }
  const double uplink = double(st.s->datacenter.uplink_bytes_per_s);
  const double up_level = waterfill(up_caps, uplink);
  std::vector<double> used(nb, 0);
  double up_used = 0;
  for (Flow& f : st.flows) {
    if (!f.wan) continue;
    const Node& n = st.nodes[f.dst];
    f.rate = std::min({node_cap(st, n) / wan_flows_of[f.dst], level[n.branch], up_level});
    used[n.branch] += f.rate;
    up_used += f.rate;
  }
  st.r.link_use.max_uplink_ratio = std::max(st.r.link_use.max_uplink_ratio, up_used / uplink);
  // Queues: what is offered beyond the link's rate waits.
  const double dt = double(st.o.step_ms) / 1000;
  std::vector<double> offered(cross);
  for (int i : st.wan_nodes) {
    const Node& n = st.nodes[i];
    double o = n.wan_limit < 0 ? kInf : node_cap(st, n);
    offered[n.branch] += std::min(o, wan_flows_of[i] * up_level);
  }
  for (std::size_t b = 0; b < nb; ++b) {
    BranchState& bs = st.branches[b];
    const WanDef& w = bs.def->wan;
    const double qmax = w.queue_bytes > 0 ? double(w.queue_bytes) : w.queue_ms / 1000 * double(w.down_bytes_per_s);
    const double excess = std::isinf(offered[b]) ? qmax : (offered[b] - capacity[b]) * dt;
    bs.queue_bytes = std::clamp(bs.queue_bytes + excess, 0.0, qmax);
    st.r.link_use.max_wan_ratio = std::max(st.r.link_use.max_wan_ratio, (used[b] + std::min(cross[b], capacity[b])) / capacity[b]);
    if (!caps[b].empty()) bs.queue_samples_ms.push_back(float(bs.queue_bytes / capacity[b] * 1000));
  }
}

void tick_governors(SimState& st) {
  static const governor::WanPolicy kDefaultPolicy;
  for (int i : st.wan_nodes) {
    Node& n = st.nodes[i];
    BranchState& bs = st.branches[n.branch];
    if (bs.def->governor != GovernorMode::on) continue;
    if (!n.gov) n.gov = std::make_unique<governor::Governor>();
    const double qd_ms = bs.queue_bytes / double(bs.def->wan.down_bytes_per_s) * 1000;
    // What the real node feeds its governor: RTT probes to the origin every
    // kProbeIntervalMs (layers/rtt_probe), each lost on the way out or back
    // with the link's loss; a lost probe is a loss event and no sample.
    std::vector<double> rtts;
    std::int64_t lost = 0;
    const double p_lost = 1 - (1 - bs.def->wan.loss) * (1 - bs.def->wan.loss);
    for (std::int64_t k = 0; k < std::max<std::int64_t>(1, st.o.step_ms / kProbeIntervalMs); ++k) {
      if (p_lost > 0 && st.rng.unit() < p_lost) ++lost;
      else rtts.push_back(bs.def->wan.rtt_ms + qd_ms);
    }
    governor::GovernorInput in;
    in.now_ms = st.now_ms;
    in.unix_time_s = st.o.unix_epoch_s + st.now_ms / 1000;
    in.rtt_samples_ms = rtts;
    in.bytes_down = static_cast<std::int64_t>(n.wan_step_bytes);
    in.loss_events = lost;
    const governor::WanPolicy& policy = bs.def->wan_policy ? *bs.def->wan_policy : kDefaultPolicy;
    governor::GovernorDecision d = n.gov->tick(in, policy);
    n.wan_limit = d.down_limit_bytes_per_s == governor::kNoLimit ? -1 : double(d.down_limit_bytes_per_s);
    n.wan_step_bytes = 0;
    ++bs.out.governor_ticks;
  }
}

}  // namespace bc::netsim::sim
