// Waiting for and stopping the orchestrator's children (started with
// Topology::spawn), always with a bound.
#pragma once

#include <sys/types.h>

#include "layers/util/status.hpp"

namespace bc::netsim {

// Waits up to timeout_ms for `pid` to exit and reaps it. Returns its exit
// code (128 + signal when killed); unavailable when it still runs.
Result<int> wait_child(pid_t pid, int timeout_ms);

// True when `pid` has exited (and reaps it). Never blocks.
bool child_exited(pid_t pid);

// Sends `sig`, waits up to grace_ms, then SIGKILLs and reaps. No-op for pid <= 0.
void stop_child(pid_t pid, int sig, int grace_ms);

}  // namespace bc::netsim
