// The branch nodes' processes: bc-reflector (init + run) and bc-endpoint
// (enroll + run), each in its node's namespace with its state under
// run_dir/nodes/<name>/, listening on the node's address. Setup commands run
// in parallel and are waited for with a bound; `run` processes are kept by
// pid so faults can kill and restart reflectors.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "layers/util/status.hpp"
#include "netsim/scenario/scenario.hpp"
#include "netsim/topo/topology.hpp"

namespace bc::netsim {

enum class AgentRole { reflector, endpoint };

struct AgentNode {
  std::string name;     // topology node, "<branch>-r1" / "<branch>-e1"
  std::string branch;
  AgentRole role = AgentRole::endpoint;
  std::string dir;      // state directory
  std::string log;      // stdout+stderr of every command, appended
  std::string node_id;  // public key hex, known after setup
  std::uint64_t quota_bytes = 0;  // reflectors: cache quota
  // The branch's governor mode (scenario.hpp GovernorMode): ledbat and off_tcp
  // write wan_governor = false; off_tcp also utp = false on reflectors.
  GovernorMode governor = GovernorMode::on;
  pid_t pid = -1;       // the running `run` process
};

struct AgentNodesOptions {
  std::string run_dir;                   // required
  std::string reflector_binary = "bc-reflector";
  std::string endpoint_binary = "bc-endpoint";
  std::string tracker_url;               // required, as nodes reach it
  std::string tracker_public_key;        // pinned by every node; required
  std::string tracker_ca_file;           // the tracker's CA, pinned by every node (--tracker-ca); required
  std::uint16_t bt_port = 6881;          // every node's BitTorrent port
  int poll_interval_ms = 1000;           // desired-state poll of both roles; default 1 s
  int heartbeat_interval_ms = 2000;      // reflector heartbeat + status report; default 2 s
  int retry_after_ms = 5000;             // endpoint retry of a failed layer; default 5 s
  int setup_timeout_ms = 60'000;         // bound on init/enroll; default 60 s
  bool insecure_plain_peers = false;     // plain torrents and sockets between peers (measurements); default false
};

class AgentNodes {
 public:
  // REQUIRES: topo outlives this object.
  AgentNodes(AgentNodesOptions o, Topology& topo) : o_(std::move(o)), topo_(topo) {}

  void add(AgentNode n) { nodes_.push_back(std::move(n)); }
  // Runs init/enroll for every node (tokens: branch -> role -> token) and
  // fills node_id. The first failure is returned with the node's log.
  Status setup(const std::map<std::string, std::map<AgentRole, std::string>>& tokens);
  // Starts `run` for every node of `role` not running.
  Status start_role(AgentRole role);
  Status start(const std::string& name);
  // SIGKILL (a crash, not a clean stop): the kill_reflector fault.
  Status kill(const std::string& name);
  // SIGTERM to every running node, bounded.
  void stop_all();

  std::vector<AgentNode>& nodes() { return nodes_; }
  AgentNode* find(const std::string& name);

 private:
  Result<pid_t> spawn_setup(AgentNode& n, const std::string& token);
  Status finish_setup(AgentNode& n);

  AgentNodesOptions o_;
  Topology& topo_;
  std::vector<AgentNode> nodes_;
};

}  // namespace bc::netsim
