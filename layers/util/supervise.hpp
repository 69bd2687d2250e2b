// Keeps a long-running node process alive across crashes: the work runs in a
// forked child, and a child that dies from a signal it was not asked to die
// from (SIGSEGV, SIGBUS, SIGABRT, the OOM killer's SIGKILL) is started again
// after a backoff. Crash recovery is the node's own (SwarmNode rechecks the
// disk after an unclean stop, the agents re-read their state), so a restart
// loses no verified byte. This exists because libtorrent 2.0.8 (Debian
// bookworm) can be crashed from the network: a peer disconnecting with an
// outstanding v2 block-hash request (asked for after a piece failed its hash
// check) makes hash_picker::hashes_rejected index an empty vector (fixed
// upstream in 2026, arvidn/libtorrent#8630; not in any Debian release here).
// Banned peers are persisted (layers/swarm/ban_list.hpp), so the restarted
// node does not meet the same peer again.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace bc {

struct SuperviseOptions {
  std::string name = "node";     // for the log lines on stderr
  int max_restarts = 10;         // restarts allowed within window_s; then give up (exit 1). Default 10
  int64_t window_s = 600;        // default 10 min
  int first_backoff_ms = 1000;   // wait before the first restart, doubling; default 1 s
  int max_backoff_ms = 30'000;   // default 30 s
  // SIGHUP to this process goes to the worker (a reload) instead of ending
  // both; a SIGHUP while the worker starts is ignored (it reads its config
  // then anyway). Default false: SIGHUP's default action.
  bool forward_hangup = false;
};

// Runs `worker` in a child process and returns its exit code once it exits
// normally. SIGINT/SIGTERM to this process are forwarded to the child (which
// then ends as it would alone; no restart); SIGHUP too with forward_hangup. The child dies with this process
// (PR_SET_PDEATHSIG). REQUIRES: no thread has been started yet (fork).
int run_supervised(const SuperviseOptions& options, const std::function<int()>& worker);

}  // namespace bc
