// The WAN governor wired to a real node: a WanGovernorLoop driving the
// SwarmNode's WAN class, fed by an RttProber (own io thread) that probes the
// tracker's echo responder from the node's listen address, so probes share
// the path and the queues of the payload. Both node drivers (reflector,
// endpoint) own one and call poll() from their loop; configure() with what
// each desired-state answer says.
//
// Thread affinity: the SwarmNode's owner thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "layers/rtt_probe/probe_runner.hpp"
#include "layers/governor/wan_governor_loop.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "node/governor/swarm_wan_port.hpp"
#include "layers/util/clock.hpp"

namespace bc {

struct NodeGovernorOptions {
  // false: the WAN limits stay as the node's config set them (comparison
  // runs: "no governor", "uTP LEDBAT alone"); no probing. Default true.
  bool enabled = true;
  // The node's listen interfaces ("IP:PORT[,...]"): probes bind to the first
  // IP in it, as outgoing payload connections do; a wildcard = any. Default "".
  std::string listen_interfaces;
  int64_t down_cap_bytes_per_s = 0;  // the node's own WAN caps (config), 0 = none; default 0
  int64_t up_cap_bytes_per_s = 0;
  int64_t tick_interval_ms = 200;    // default 200 ms: policy windows apply within 200 ms
  // Pace the requests to WAN peers at the down limit (WanGovernorLoopOptions::
  // request_pacing; LAN peers are never paced). Default true.
  bool request_pacing = true;
  // The governor's setpoint as a fraction of the policy's target delay
  // (GovernorOptions::setpoint_fraction). Default 0.45 (11.25 ms of a 25 ms
  // target): at 10 Mbit/s each 16 KiB block adds 13 ms of queue as it
  // arrives, so the queue swings about that much above the setpoint; at 0.5
  // the rollout added 27-28 ms at p95 to the cross traffic's packets, at 0.45
  // 22 ms (docs/decisions.md, "WAN governor", "Setpoint").
  double setpoint_fraction = 0.45;
  Status validate() const;
};

class NodeGovernor {
 public:
  // `node` and `clock` must outlive the governor; `clock` monotonic in µs.
  NodeGovernor(SwarmNode& node, const Clock& clock, NodeGovernorOptions options);

  // The tracker's probe responder and the branch's policy and share. Restarts
  // the prober when the target changes; probe_port 0 stops it. Until the
  // prober has had an answer (no port, unreachable responder) the policy runs
  // as caps only (windows and share still apply; no latency control, which
  // with no samples would sit at its start rate and decay to the floor). `tracker_host` may be a name
  // (resolved once per change). Errors: unavailable when the prober cannot
  // start; the loop runs on without samples.
  Status configure(const std::string& tracker_host, uint16_t probe_port, const governor::WanPolicy& policy, double share);

  // Ticks when due; the report only when worth a log line (notable()).
  std::optional<governor::WanTickReport> poll();
  // A log line for a report: limits, delay, events.
  static std::string describe(const governor::WanTickReport& r);

  // WAN download rate since the previous call (bytes/s), for the heartbeat's
  // wan_demand_bytes_per_s (the tracker splits the branch budget by it).
  int64_t take_demand_bytes_per_s();
  bool enabled() const { return loop_.enabled(); }
  bool probing() const { return prober_ != nullptr; }
  // The WAN limits last applied (kNoLimit = unlimited); nullopt before the first tick.
  std::optional<std::pair<int64_t, int64_t>> applied() const { return loop_.applied(); }

 private:
  Status restart_prober(const std::string& tracker_host, uint16_t probe_port);
  void apply_policy();  // policy_ into the loop, latency control only once probes are answered

  SwarmNode& node_;
  const Clock& clock_;
  NodeGovernorOptions options_;
  SwarmWanPort port_;
  governor::WanGovernorLoop loop_;
  std::unique_ptr<rtt_probe::ProbeRunner> prober_;
  governor::WanPolicy policy_;     // as the tracker sent it
  std::string probe_target_;  // what prober_ probes; "" = none
  bool answered_ = false;     // prober_ has had at least one reply
  std::string resolved_host_, resolved_ip_;
  std::optional<std::pair<int64_t, uint64_t>> demand_mark_;  // (ms, WAN bytes down)
};

}  // namespace bc
