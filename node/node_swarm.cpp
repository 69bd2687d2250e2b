#include "node/node_swarm.hpp"

#include <spdlog/logger.h>

#include "tracker/client/wan_settings.hpp"

namespace bc::node {

Result<std::unique_ptr<NodeSwarm>> NodeSwarm::start(NodeSwarmOptions options, const Clock& clock, Logger log) {
  if (options.tracker_host.empty()) return Status::invalid_argument("node swarm: tracker_host is empty");
  options.swarm.clock = &clock;
  std::unique_ptr<NodeSwarm> n(new NodeSwarm(std::move(options), std::move(log)));
  BC_ASSIGN_OR_RETURN(n->swarm_, SwarmNode::start(n->options_.swarm));
  n->governor_ = std::make_unique<NodeGovernor>(*n->swarm_, clock, n->options_.governor);
  n->clock_ = &clock;
  return n;
}

Status NodeSwarm::keep_certificates(tracker::TrackerClient& client, const std::string& dir) {
  if (options_.swarm.insecure_plain_peers || certs_) return Status();
  CertKeeperOptions o;
  o.dir = dir;
  CertSink sink;
  sink.set_certificate = [this](const std::string& cert, const std::string& key) {
    return swarm_->set_certificate(cert, key);
  };
  sink.set_revoked = [this](std::vector<std::string> serials) { swarm_->set_revoked_serials(std::move(serials)); };
  BC_ASSIGN_OR_RETURN(certs_, CertKeeper::open(o, client, *clock_, std::move(sink), log_));
  certs_->tick();  // the first certificate before the first layer, when the tracker answers
  return Status();
}

bool NodeSwarm::cover(const LayerRef& layer) {
  return !certs_ || certs_->ensure_covers(layer.torrent_name());
}

Status NodeSwarm::apply_desired(const nlohmann::json& state) {
  Status net = apply_branch_net(state);
  Status wan = apply_wan_settings(state);
  return wan.ok() ? net : wan;
}

// The branch's subnets and reflectors class peers as LAN/reflector (LAN
// peers are served without the WAN limit); web seed bases apply to layers
// added from now on, per-layer (tokenized) URLs at once, replacing those the
// previous answer gave (tokens expire). A bad answer keeps what the node had.
Status NodeSwarm::apply_branch_net(const nlohmann::json& state) {
  auto net = tracker::branch_net_from_desired(state);
  Status s = net.ok() ? Status() : net.status();
  if (s.ok() && *net != net_) {
    s = swarm_->set_lan(net->subnets, net->reflector_ips);
    if (s.ok()) s = swarm_->set_web_seeds(net->web_seeds);
    if (s.ok()) s = swarm_->set_layer_web_seeds(net->layer_web_seeds);
    if (s.ok()) net_ = *net;
  }
  if (!s.ok()) s = s.with_context("branch network from the tracker");
  if (!s.ok() && s.to_string() != net_problem_) log_->warn("{}", s.to_string());
  net_problem_ = s.ok() ? "" : s.to_string();
  return s;
}

// The probe responder, the branch's WAN policy and this node's share of the
// branch caps. For an endpoint, its WAN traffic is its fallback to the
// origin: the branch policy governs it too (in a branch without a live
// reflector the tracker sends a share). A refused part falls back to its
// default (wan_settings.hpp).
Status NodeSwarm::apply_wan_settings(const nlohmann::json& state) {
  const tracker::WanSettings w = tracker::wan_settings_from_desired(state);
  if (w.problem != wan_problem_ && !w.problem.empty()) log_->warn("{}", w.problem);
  wan_problem_ = w.problem;
  Status s = governor_->configure(options_.tracker_host, w.probe_port, w.policy, w.share);
  if (!s.ok()) log_->warn("{}", s.to_string());
  // The policy's DSCP marks the swarm's packets (new connections; the uTP
  // socket at once). A valid policy's dscp is in [0, 63].
  if (w.policy.dscp != dscp_ && swarm_->set_peer_dscp(w.policy.dscp).ok()) {
    log_->info("peer packets marked DSCP {}", w.policy.dscp);
    dscp_ = w.policy.dscp;
  }
  return s;
}

// The governor ticks every 200 ms and says when a line is due.
void NodeSwarm::governor_tick() {
  if (auto r = governor_->poll()) log_->info("{}", NodeGovernor::describe(*r));
}

void NodeSwarm::pump(int wait_ms, const SwarmHandlers& handlers) {
  if (certs_) certs_->tick();
  governor_tick();
  for (const auto& ev : swarm_->poll_events(wait_ms)) dispatch_swarm_event(ev, handlers, *log_);
  governor_tick();
}

}  // namespace bc::node
