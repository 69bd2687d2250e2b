// The endpoint agent's decision core: pure (no sockets, files, threads or
// wall clock). Given the desired stack, what the node holds and what is
// applied, it says what to do next. The driver (agent_driver.hpp) performs the
// actions and feeds the results back as new LocalLayer states.
//
// Rules:
//  - a desired layer the node does not hold is fetched (manifest, signature,
//    torrent, verified, then downloaded); a failed one is retried once
//    `retry_after_ms` passed since it failed;
//  - the stack is applied only when every desired layer is complete, and only
//    when it differs from the applied stack (order matters);
//  - a failed layer never changes the applied stack: the previous one stays;
//  - an empty desired stack applies nothing (it never wipes the target);
//  - a new version of a layer waits while an older version of it is still
//    downloading, and starts once that one is complete (or failed): the
//    content index then holds the older version's files, so only the changed
//    bytes cross the network (the reflector's rule, reflector_core.hpp). The
//    older download runs on although the stack no longer names it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::endpoint {

enum class LayerPhase {
  downloading,  // metadata verified, bytes arriving
  complete,     // every piece verified
  failed,       // metadata, verification or download failed; `error` says why
};
const char* to_string(LayerPhase p);

struct LocalLayer {
  LayerPhase phase = LayerPhase::downloading;
  uint64_t done_bytes = 0;
  uint64_t total_bytes = 0;
  std::string error;
  int64_t failed_at_ms = 0;  // monotonic ms of the failure (failed only)
};

struct AgentCoreOptions {
  int64_t retry_after_ms = 30'000;  // wait before fetching a failed layer again, ms; default 30 s
  size_t max_stack_layers = 64;     // longer desired stacks are refused; default 64 (tracker's bound)
  Status validate() const;
};

struct CoreInput {
  std::vector<std::string> desired;             // "name@version", base first
  std::map<std::string, LocalLayer> local;      // ref -> state, for layers the agent handles
  std::vector<std::string> applied;             // the target's applied stack
  int64_t now_ms = 0;                           // monotonic clock
};

struct CoreActions {
  std::vector<std::string> fetch;   // start (or restart) these layers, in stack order
  bool apply = false;               // apply `desired` now
  std::vector<std::string> failed;  // desired layers currently failed (stack held back)
  std::vector<std::string> waiting; // desired layers waiting for an older version's download
  std::string error;                // non-empty: the desired stack is refused, and why
  bool converged = false;           // applied == desired (and desired non-empty)
};

CoreActions decide(const AgentCoreOptions& options, const CoreInput& in);

}  // namespace bc::endpoint
