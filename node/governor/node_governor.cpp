#include "node/governor/node_governor.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <cstdio>

#include "layers/swarm/swarm_settings.hpp"

namespace bc {

namespace {

governor::WanGovernorLoopOptions loop_options(const NodeGovernorOptions& o) {
  governor::WanGovernorLoopOptions l;
  l.enabled = o.enabled;
  l.tick_interval_ms = o.tick_interval_ms;
  l.request_pacing = o.request_pacing;
  l.node_down_cap_bytes_per_s = o.down_cap_bytes_per_s > 0 ? o.down_cap_bytes_per_s : governor::kNoLimit;
  l.node_up_cap_bytes_per_s = o.up_cap_bytes_per_s > 0 ? o.up_cap_bytes_per_s : governor::kNoLimit;
  // Tuned on the emulated WAN with paced requests (docs/benchmarks.md, "WAN
  // governor on the emulated WAN"): the paced rate is what reaches the link,
  // so the control can be gentler and quicker than against libtorrent's lumps.
  l.governor.setpoint_fraction = o.setpoint_fraction;
  l.governor.backoff_threshold = 2.0;     // cut above the policy's target; trim between
  l.governor.fairness_gain_per_s = 0.3;   // a gentler trim: 1.0 took 40% off after each slowdown
  l.governor.backoff_mildest = 0.95;
  l.governor.backoff_hardest = 0.8;
  l.governor.backoff_extreme = 0.6;
  l.governor.delay_recover_fraction = 0.9;  // back quickly to 90% of the rate cut
  l.governor.delay.current_filter_samples = 3;  // with 50 ms probes: a rising queue shows in 150 ms
  l.usage_window_ms = 400;  // paced bytes arrive evenly: no need to smooth over 2 s
  l.window_rtt_margin_ms = 30;  // a stalled sender returns at most ~30 ms of rate at once
  l.governor.initial_link_fraction = 0.1;  // a declared link: start at 10% of it
  return l;
}

// An IP literal as is, a name through the resolver (first address).
Result<std::string> resolve_ip(const std::string& host) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(host, ec);
  if (!ec) return a.to_string();
  boost::asio::io_context io;
  boost::asio::ip::udp::resolver r(io);
  auto results = r.resolve(host, "", ec);
  if (ec || results.empty()) return Status::unavailable("cannot resolve '" + host + "': " + ec.message());
  return results.begin()->endpoint().address().to_string();
}

std::string rate(int64_t v) {
  if (v == governor::kNoLimit) return "unlimited";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f KiB/s", double(v) / 1024.0);
  return buf;
}

}  // namespace

Status NodeGovernorOptions::validate() const {
  if (down_cap_bytes_per_s < 0 || up_cap_bytes_per_s < 0)
    return Status::invalid_argument("node governor: caps must be >= 0 (0 = none)");
  return loop_options(*this).validate();
}

NodeGovernor::NodeGovernor(SwarmNode& node, const Clock& clock, NodeGovernorOptions options)
    : node_(node), clock_(clock), options_(std::move(options)), port_(node), loop_(loop_options(options_), port_) {
  // Until the first desired state (the tracker may be down at start): no
  // caps and no prober, so no latency control either (see configure()).
  governor::WanPolicy none;
  none.latency_aware = false;
  loop_.set_policy(none);
}

// Without RTT samples the latency control has nothing to steer by: it would
// hold its start rate, then decay to the floor (samples_stale), throttling a
// node whose tracker simply runs no responder, or one it cannot reach. So the
// policy runs as caps only (latency_aware = false) until the prober has had
// its first answer. A responder that answered and then goes quiet is the
// governor's business (hold, then decay: silence may be congestion).
Status NodeGovernor::configure(const std::string& tracker_host, uint16_t probe_port, const governor::WanPolicy& policy,
                               double share) {
  policy_ = policy;
  loop_.set_share(share);
  Status s = restart_prober(tracker_host, probe_port);
  apply_policy();
  return s;
}

void NodeGovernor::apply_policy() {
  governor::WanPolicy effective = policy_;
  if (!prober_ || !answered_) effective.latency_aware = false;
  loop_.set_policy(effective);
}

Status NodeGovernor::restart_prober(const std::string& tracker_host, uint16_t probe_port) {
  if (!loop_.enabled()) return Status();
  std::string target;
  if (probe_port != 0) {
    if (tracker_host != resolved_host_) {
      BC_ASSIGN_OR_RETURN(resolved_ip_, resolve_ip(tracker_host));
      resolved_host_ = tracker_host;
    }
    const bool v6 = resolved_ip_.find(':') != std::string::npos;
    target = (v6 ? "[" + resolved_ip_ + "]" : resolved_ip_) + ":" + std::to_string(probe_port);
  }
  if (target == probe_target_) return Status();
  loop_.set_rtt_source(nullptr);
  prober_.reset();
  probe_target_.clear();
  answered_ = false;
  if (target.empty()) return Status();
  rtt_probe::RttProberOptions po;
  po.target = target;
  const std::string ips = outgoing_from_listen(options_.listen_interfaces);
  po.bind_address = ips.substr(0, ips.find(','));
  po.session.interval_ms = 50;
  auto runner = rtt_probe::ProbeRunner::start(clock_, po);
  if (!runner.ok()) return runner.status().with_context("wan governor: RTT prober to " + target);
  prober_ = std::move(*runner);
  probe_target_ = target;
  loop_.set_rtt_source(prober_.get());
  return Status();
}

std::optional<governor::WanTickReport> NodeGovernor::poll() {
  if (prober_ && !answered_ && prober_->counters().answered > 0) {
    answered_ = true;  // RTT samples flow: latency control can start
    apply_policy();
  }
  auto r = loop_.poll(clock_.now_ms(), clock_.unix_s());
  if (!r || !r->notable()) return std::nullopt;
  return r;
}

std::string NodeGovernor::describe(const governor::WanTickReport& r) {
  std::string s = "wan governor: limits down " + rate(r.down_limit_bytes_per_s) + ", up " + rate(r.up_limit_bytes_per_s);
  char buf[96];
  std::snprintf(buf, sizeof buf, ", queuing delay %.1f ms, base %.1f ms, window %d", r.queuing_delay_ms,
                r.base_delay_ms, r.window_index);
  s += buf;
  if (r.periodic)
    s += "; moved down " + rate(r.down_bytes_per_s);
  if (r.policy_changed) s += "; new policy/share";
  for (const auto& e : r.events) {
    s += std::string("; ") + governor::to_string(e.kind);
    if (e.kind != governor::GovernorEventKind::window_changed && e.kind != governor::GovernorEventKind::route_change &&
        e.kind != governor::GovernorEventKind::samples_stale)
      s += std::string(e.dir == governor::Direction::down ? " down " : " up ") + rate(int64_t(e.from_bytes_per_s)) +
           " -> " + rate(int64_t(e.to_bytes_per_s));
  }
  return s;
}

int64_t NodeGovernor::take_demand_bytes_per_s() {
  const int64_t now = clock_.now_ms();
  const uint64_t down = node_.wan_bytes().down;
  int64_t out = 0;
  if (demand_mark_ && now > demand_mark_->first && down >= demand_mark_->second)
    out = int64_t(double(down - demand_mark_->second) * 1000.0 / double(now - demand_mark_->first));
  demand_mark_ = {now, down};
  return out;
}

}  // namespace bc
