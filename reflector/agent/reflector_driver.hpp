// The reflector's thin I/O driver: tracker calls (register, heartbeat,
// desired-state polls with ETag, layer downloads, status reports), the swarm
// node (download, then keep seeding) and the content index, around the pure
// ReflectorCore which decides what to fetch and evict.
//
// Thread affinity: run() owns everything on the calling thread; stop() may be
// called from any thread (or a signal handler through the flag).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "layers/crypto/ed25519.hpp"
#include "layers/index/content_index.hpp"
#include "node/governor/node_governor.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "layers/util/clock.hpp"
#include "reflector/agent/reflector_config.hpp"
#include "reflector/agent/reflector_core.hpp"
#include "tracker/client/branch_net.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::reflector {

class ReflectorDriver {
 public:
  // Loads the identity key, opens the content index and starts the swarm
  // node. Errors: from the key file, the index or the swarm node.
  static Result<std::unique_ptr<ReflectorDriver>> create(const ReflectorConfig& config, const Clock& clock);
  ~ReflectorDriver();

  // Registers (or heartbeats when already registered), then loops until
  // stop(): polls the desired state, runs the core's actions, drives the
  // swarm, heartbeats and reports. Errors only when registration fails.
  Status run();
  void stop() { stop_.store(true); }

  // One loop step (for tests and run()); waits up to wait_ms for swarm events.
  void step(int wait_ms);
  Status register_or_heartbeat();

  const ReflectorCore& core() const { return core_; }
  // Payload received by source since start, fetches in progress included:
  // what the status report says.
  BytesBySource bytes_by_source() const;
  uint16_t listen_port() const { return swarm_->listen_port(); }
  const std::string& node_id() const { return node_id_; }
  // The WAN governor (nullptr before registration).
  const NodeGovernor* governor() const { return governor_.get(); }
  // WAN payload bytes moved by the swarm node (SwarmNode::wan_bytes); zero
  // before registration. For tests and logs.
  SwarmNode::WanBytes wan_bytes() const { return swarm_ ? swarm_->wan_bytes() : SwarmNode::WanBytes{}; }

 private:
  struct Fetch {
    TrustedManifest manifest;
    TorrentFacts facts;
    std::string payload_dir;
    BytesBySource moved;  // received so far by this fetch (libtorrent's counters); 0 once finished
  };
  ReflectorDriver(const ReflectorConfig& config, const Clock& clock, SecretKey key);
  void poll_desired();
  void apply_branch_net(const nlohmann::json& state);
  void apply_wan_settings(const nlohmann::json& state);
  void governor_tick();
  void run_actions();
  Status start_fetch(const Action& a);
  void evict(const Action& a);
  void handle_events(int wait_ms);
  void finish_fetch(const LayerRef& ref, const BytesBySource& by_source);
  void fail_fetch(const LayerRef& ref, const std::string& why);
  // Removes an active fetch from the swarm; its bytes so far stay counted.
  void drop_fetch(const LayerRef& ref);
  nlohmann::json cache_json() const;
  void heartbeat_and_report();
  std::string layer_dir(const std::string& info_hash) const;

  ReflectorConfig config_;
  const Clock& clock_;
  SecretKey key_;
  PublicKey tracker_key_{};
  std::string node_id_;
  std::unique_ptr<tracker::TrackerClient> client_;
  std::unique_ptr<ContentIndex> index_;
  std::unique_ptr<SwarmNode> swarm_;
  std::unique_ptr<NodeGovernor> governor_;  // after swarm_: destroyed first
  ReflectorCore core_;
  std::string etag_;
  std::string announce_key_;
  std::map<LayerRef, Fetch> active_;      // in the swarm session (downloading or seeding)
  // Cumulative, by source: finished fetches, and fetches dropped or failed
  // (their bytes crossed the WAN too). Reports add the fetches in progress.
  BytesBySource downloaded_;
  int64_t next_poll_ms_ = 0;
  int64_t next_heartbeat_ms_ = 0;
  std::string last_error_;
  tracker::BranchNet net_;
  std::string wan_problem_;  // the last refused part of the WAN settings, logged once
  std::atomic<bool> stop_{false};
};

}  // namespace bc::reflector
