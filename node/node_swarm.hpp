// A node's swarm: the SwarmNode and its WAN governor, built the same way for
// the endpoint and the reflector and kept in step with the tracker's desired
// state (the branch network: LAN subnets, reflectors, web seeds; the WAN
// settings: probe port, policy, share). One loop turn's swarm work is pump().
//
// Thread affinity: the owner's loop thread, like the SwarmNode it holds.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "layers/swarm/swarm_node.hpp"
#include "node/cert_keeper.hpp"
#include "node/governor/node_governor.hpp"
#include "node/node_log.hpp"
#include "node/swarm_dispatch.hpp"
#include "tracker/client/branch_net.hpp"

namespace bc::node {

struct NodeSwarmOptions {
  // The swarm node's options; `clock` is set by start() to the node's clock.
  SwarmNodeOptions swarm;
  NodeGovernorOptions governor;
  // The tracker's host: the governor probes the RTT to it. Required.
  std::string tracker_host;
};

class NodeSwarm {
 public:
  // Starts the swarm node (with `clock`) and its governor. `clock` and `log`
  // must outlive the NodeSwarm. Errors: SwarmNode::start's.
  static Result<std::unique_ptr<NodeSwarm>> start(NodeSwarmOptions options, const Clock& clock, Logger log);
  NodeSwarm(const NodeSwarm&) = delete;
  NodeSwarm& operator=(const NodeSwarm&) = delete;

  SwarmNode& swarm() { return *swarm_; }
  const SwarmNode& swarm() const { return *swarm_; }
  NodeGovernor& governor() { return *governor_; }
  const NodeGovernor& governor() const { return *governor_; }

  // Applies the desired state's branch network (when it changed) and WAN
  // settings. A refused part keeps what the node had (or falls back to the
  // default, wan_settings.hpp) and is logged once; the last such problem is
  // returned, OK when none.
  Status apply_desired(const nlohmann::json& state);

  // One loop turn of swarm work: a governor tick, up to wait_ms for swarm
  // events (dispatched to `handlers`), another governor tick; and the
  // certificate keeper's turn when it runs.
  void pump(int wait_ms, const SwarmHandlers& handlers);

  // Keeps this node's TLS identity for SSL torrents (node/cert_keeper.hpp):
  // <dir>/peer.key and peer.pem, renewed over `client`, with the revoked
  // list, all handed to the swarm node. No-op on an insecure_plain_peers
  // swarm. `client` must outlive the NodeSwarm. Errors: CertKeeper::open's.
  Status keep_certificates(tracker::TrackerClient& client, const std::string& dir);
  // Call before adding `layer`: renews the certificate early when it does
  // not name the layer's torrent. False when it still does not (the layer
  // can then reach no peer; the tracker does not entitle the node).
  bool cover(const LayerRef& layer);
  const CertKeeper* certificates() const { return certs_.get(); }

 private:
  NodeSwarm(NodeSwarmOptions options, Logger log) : options_(std::move(options)), log_(std::move(log)) {}
  Status apply_branch_net(const nlohmann::json& state);
  Status apply_wan_settings(const nlohmann::json& state);
  void governor_tick();

  NodeSwarmOptions options_;
  Logger log_;
  std::unique_ptr<SwarmNode> swarm_;
  std::unique_ptr<NodeGovernor> governor_;  // after swarm_: destroyed first
  std::unique_ptr<CertKeeper> certs_;       // null until keep_certificates; calls into swarm_
  const Clock* clock_ = nullptr;
  tracker::BranchNet net_;
  std::string net_problem_;  // the last refused branch network, logged once
  std::string wan_problem_;  // the last refused part of the WAN settings, logged once
  int dscp_ = governor::kDscpLowerEffort;  // the swarm's peer_dscp (SwarmNodeOptions default)
};

}  // namespace bc::node
