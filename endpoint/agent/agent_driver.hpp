// The endpoint agent's driver: the thin I/O loop around agent_core.hpp.
// Polls the tracker's desired state (ETag), fetches and verifies each layer's
// manifest, signature and torrent against the pinned tracker key, seeds the
// payload from held content, downloads it with a SwarmNode, applies the stack
// when every layer is complete, and queues status reports durably
// (ReportQueue), delivering them whenever the tracker answers.
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

namespace bc::endpoint {

struct AgentRunOptions {
  std::string dir;         // the state directory (endpoint_config.hpp); required
  EndpointConfig config;   // loaded from dir
  AgentCoreOptions core;
  bool exit_when_converged = false;  // return OK once applied == desired and no report is queued
  int64_t max_run_ms = 0;            // return unavailable after this long; 0 = no limit
  int http_timeout_ms = 5'000;       // each tracker request, ms; default 5 s
  const std::atomic<bool>* stop = nullptr;  // optional: set to end the loop
  Status validate() const;
};

Status run_agent(const AgentRunOptions& options);

}  // namespace bc::endpoint
