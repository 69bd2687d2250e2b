// The endpoint agent's driver: the thin I/O loop around agent_core.hpp.
// Polls the tracker's desired state (ETag), obtains each layer's verified
// manifest and torrent (node/layer_fetch.hpp), seeds the payload from held
// content, downloads it in the node's swarm (node/node_swarm.hpp), applies the
// stack when every layer is complete, and queues status reports durably
// (ReportQueue), delivering them whenever the tracker answers.
//
// Offline restart: the last desired state is kept in DIR/desired.json. When
// the tracker cannot be reached and nothing newer is known, the agent carries
// on from it: held layers (verified again against the pinned key) are
// finished from known peers, seeded and applied; polling goes on and the
// tracker's next answer takes over.
//
// Thread affinity: run_agent owns everything it creates and runs on the
// calling thread until stopped.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "endpoint/agent/agent_core.hpp"
#include "endpoint/agent/endpoint_config.hpp"
#include "layers/util/clock.hpp"

namespace bc::endpoint {

struct AgentRunOptions {
  std::string dir;         // the state directory (endpoint_config.hpp); required
  EndpointConfig config;   // loaded from dir
  AgentCoreOptions core;
  bool exit_when_converged = false;  // return OK once applied == desired and no report is queued
  int64_t max_run_ms = 0;            // return unavailable after this long; 0 = no limit
  int http_timeout_ms = 5'000;       // each tracker request, ms; default 5 s
  const std::atomic<bool>* stop = nullptr;  // optional: set to end the loop
  // Time for the loop, retries and the swarm node; not owned. Default
  // nullptr: a SystemClock run_agent owns.
  const Clock* clock = nullptr;
  Status validate() const;
};

Status run_agent(const AgentRunOptions& options);

}  // namespace bc::endpoint
