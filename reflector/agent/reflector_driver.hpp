// The reflector's thin I/O driver: its role is registration, heartbeats and
// status reports, and the cache (fetch, seed, evict) as the pure
// ReflectorCore decides. What it shares with the endpoint comes from the node
// kit (node/): layers are obtained and verified by node/layer_fetch.hpp, the
// swarm node and its governor are a node::NodeSwarm, events arrive through
// node::SwarmHandlers, time through the injected Clock.
//
// Serving counts as use: every second the driver reads each seeding layer's
// upload counter into the core (ReflectorCore::on_upload), so a layer peers
// are pulling from is recent for LRU and busy, never evicted.
//
// Offline restart: the last desired state is kept in CACHE/desired.json. A
// reflector started while the tracker is down carries on from it: held
// layers (verified again against the pinned key) are checked and seeded;
// registration is retried every 2 s and the tracker's answers take over.
//
// Thread affinity: run() owns everything on the calling thread; stop() may be
// called from any thread (or a signal handler through the flag).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "layers/crypto/ed25519.hpp"
#include "layers/index/content_index.hpp"
#include "layers/util/clock.hpp"
#include "node/desired_feed.hpp"
#include "node/layer_fetch.hpp"
#include "node/node_log.hpp"
#include "node/node_loop.hpp"
#include "node/node_swarm.hpp"
#include "reflector/agent/reflector_config.hpp"
#include "reflector/agent/reflector_core.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::reflector {

class ReflectorDriver {
 public:
  // Loads the identity key and opens the content index. Errors: from the
  // config, the key file or the index.
  static Result<std::unique_ptr<ReflectorDriver>> create(const ReflectorConfig& config, const Clock& clock);
  ~ReflectorDriver();

  // Registers (or heartbeats when already registered) and loops until
  // stop(): polls the desired state, runs the core's actions, drives the
  // swarm, heartbeats and reports. While the tracker cannot be reached it
  // carries on from the saved desired state (see above). Errors only when
  // the tracker refuses the registration.
  Status run();
  void stop() { stop_.store(true); }

  // Reload (SIGHUP, the unit's ExecReload): the next step() reads the config
  // again through `source` and applies what can change while running, the
  // cache quota (lowering it evicts unassigned layers at once); any other
  // changed key is logged as needing a restart. A config that does not load
  // is logged and the running one kept. request_reload() only sets a flag:
  // safe from a signal handler.
  void set_reload_source(std::function<Result<ReflectorConfig>()> source) { reload_source_ = std::move(source); }
  void request_reload() { reload_.store(true); }

  // One loop step (for tests and run()); waits up to wait_ms for swarm events.
  // REQUIRES: the swarm started (register_or_heartbeat or resume_from_saved).
  void step(int wait_ms);
  Status register_or_heartbeat();
  // Starts from the saved desired state without the tracker. not_found when
  // none was saved; corruption when it cannot be read.
  Status resume_from_saved();

  const ReflectorCore& core() const { return core_; }
  // Payload received by source since start, fetches in progress included:
  // what the status report says.
  BytesBySource bytes_by_source() const;
  uint16_t listen_port() const { return node_->swarm().listen_port(); }
  const std::string& node_id() const { return node_id_; }
  const node::Logger& logger() const { return log_; }
  // The WAN governor (nullptr before the swarm starts).
  const NodeGovernor* governor() const { return node_ ? &node_->governor() : nullptr; }
  // WAN payload bytes moved by the swarm node (SwarmNode::wan_bytes); zero
  // before the swarm starts. For tests and logs.
  SwarmNode::WanBytes wan_bytes() const { return node_ ? node_->swarm().wan_bytes() : SwarmNode::WanBytes{}; }

 private:
  struct Fetch {
    node::HeldLayer held;
    BytesBySource moved;  // received so far by this fetch (libtorrent's counters); 0 once finished
  };
  ReflectorDriver(const ReflectorConfig& config, const Clock& clock, SecretKey key);
  Status start_swarm();
  Status take_desired(const nlohmann::json& state);
  void poll_desired();
  void run_actions();
  Status start_fetch(const Action& a);
  void evict(const Action& a);
  node::SwarmHandlers handlers();
  void finish_fetch(const LayerRef& ref, const BytesBySource& by_source);
  void fail_fetch(const LayerRef& ref, const std::string& why);
  // Removes an active fetch from the swarm; its bytes so far stay counted.
  void drop_fetch(const LayerRef& ref);
  void report_uploads();
  void heartbeat_and_report();
  void bare_heartbeat();
  std::string layer_dir(const std::string& info_hash) const;

  ReflectorConfig config_;
  const Clock& clock_;
  SecretKey key_;
  PublicKey tracker_key_{};
  std::string node_id_;
  node::Logger log_;
  std::unique_ptr<tracker::TrackerClient> client_;
  std::unique_ptr<node::DesiredFeed> feed_;
  std::unique_ptr<ContentIndex> index_;
  std::unique_ptr<node::NodeSwarm> node_;
  ReflectorCore core_;
  std::string announce_key_;
  std::map<LayerRef, Fetch> active_;  // in the swarm session (downloading or seeding)
  // Cumulative, by source: finished fetches, and fetches dropped or failed
  // (their bytes crossed the WAN too). Reports add the fetches in progress.
  BytesBySource downloaded_;
  node::Every heartbeat_, uploads_{1'000};
  node::Every alive_;  // bare heartbeats between full ones (liveness_interval_ms)
  std::string last_error_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> reload_{false};
  std::function<Result<ReflectorConfig>()> reload_source_;
  void reload();
};

}  // namespace bc::reflector
