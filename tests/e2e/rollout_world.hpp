// A whole branchcast deployment on loopback, every role its own process: the
// real bc-tracker (with its origin seed), and per branch a 127.k.0.0/16
// subnet with bc-reflector processes at 127.k.0.1.. and bc-endpoint processes
// at 127.k.0.11.., each bound to its own address. Nodes find each other only
// through the tracker's peer lists. Used by the e2e suite (label e2e).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "layers/util/clock.hpp"
#include "tests/integration/support/child_process.hpp"
#include "tests/integration/support/tracker_process.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::test {

struct BranchSpec {
  std::string name;  // [a-z0-9]
  int reflectors = 1;
  int endpoints = 3;
  std::string parent;  // a regional hub: an earlier branch of the list; empty = none
};

struct WorldOptions {
  std::vector<BranchSpec> branches;
  // The tracker forgets a reflector this long after its last heartbeat
  // (reflectors heartbeat every 500 ms here); then endpoints may fall back
  // to the origin. Default 3 s.
  int reflector_live_s = 3;
  // Reflectors' swarm limits (both classes), bytes/s; 0 = none.
  int64_t reflector_download_limit = 0;
  int64_t reflector_upload_limit = 0;
  // Run the tracker's origin seed (default), and BEP 19 web seed base URLs
  // for [origin] web_seeds.
  bool origin_seed = true;
  std::vector<std::string> web_seeds;
  // [origin] serve_web_seed: the tracker serves its store as a tokenized web
  // seed at /ws. Default false.
  bool serve_web_seed = false;
  // The origin seed's upload cap, bytes/s; 0 = none.
  int64_t origin_upload_limit = 0;
  // The tracker's RTT echo responder ([server] probe_port): true picks a free
  // UDP port. Default false (nodes then run their policy as caps only).
  bool probe = false;
  // Endpoints' LAN download cap by node name ("east-e1"), bytes/s.
  std::map<std::string, int64_t> endpoint_lan_limit;
  // Endpoints' hardware-facts root (DIR/sys, DIR/proc) by node name; others read none.
  std::map<std::string, std::string> endpoint_hardware_root;
};

struct Node {
  std::string name;    // "<branch>-r<i>" or "<branch>-e<i>"
  std::string branch;
  std::string ip;      // 127.k.0.x
  bool reflector = false;
  std::string dir;     // state directory (endpoint) or cache directory (reflector)
  std::string config;  // reflector config file
  std::string root;    // endpoint target tree
  std::string id;      // the tracker's node id
  ChildProcess proc;
  int starts = 0;
  std::string log() const;  // this start's log file
};

class RolloutWorld {
 public:
  explicit RolloutWorld(WorldOptions options);
  ~RolloutWorld();

  // A layer captured from `tree` with bc-layer and imported into the tracker
  // (which verifies, signs and starts seeding it). Returns the built layer
  // directory. Fails the test on error.
  // `match`: a driver layer's rules (fact name -> glob).
  std::string publish(const std::string& tree, const std::string& name, int version, const std::string& kind,
                      const std::map<std::string, std::string>& match = {});
  void assign_branch(const std::string& branch, const std::vector<std::string>& stack);

  // Enrolls (first time) and starts every node's process.
  void start_all();
  void start(Node& n);
  Node& node(const std::string& name);
  std::vector<Node*> endpoints(const std::string& branch = "");
  std::vector<Node*> reflectors(const std::string& branch = "");

  // The tracker's copy of a node's latest status report (null when none).
  nlohmann::json reported(const Node& n);
  // `bc-endpoint status --json` (reads the node's own state; no tracker).
  nlohmann::json local_status(const Node& n);
  // The origin seed's uploaded payload bytes (from /metrics).
  uint64_t origin_upload_bytes();

  // True once every endpoint's local applied stack equals `stack`.
  bool all_applied(const std::vector<std::string>& stack, const std::string& branch = "");

  TrackerProcess& tracker() { return *tracker_; }
  tracker::TrackerClient& admin() { return *admin_; }
  const std::string& dir() const { return tmp_.path(); }
  std::string tracker_url() const;
  std::string tracker_public_key() const { return tracker_pk_; }
  const std::string& endpoint_token() const { return endpoint_token_; }
  uint16_t tracker_port() const { return port_; }
  // Logs of every node and the tracker, for failure messages (bounded).
  std::string logs_tail();

 private:
  void enroll(Node& n);
  std::string layer_tool() const;

  WorldOptions options_;
  TmpDir tmp_;
  uint16_t port_ = 0;
  std::unique_ptr<TrackerProcess> tracker_;
  SystemClock clock_;
  std::unique_ptr<tracker::TrackerClient> admin_;
  std::string tracker_pk_;
  std::string endpoint_token_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

// Every path under `root` (except .branchcast) -> "type mode target-or-sha256".
std::map<std::string, std::string> describe_tree(const std::string& root);

}  // namespace bc::test
