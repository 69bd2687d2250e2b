// The skeleton both node programs loop on, with time from outside: every
// deadline is read from the injected bc::Clock (layers/util/clock.hpp), so a
// test or the simulator can drive it; nothing here reads a system clock.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "layers/util/clock.hpp"
#include "layers/util/status.hpp"

namespace bc::node {

// Something due once per period (a poll, a heartbeat, a retry).
class Every {
 public:
  explicit Every(int64_t period_ms) : period_ms_(period_ms) {}
  // True on the first call and then once a period has passed since the
  // last true; each true schedules the next one period later.
  bool due(int64_t now_ms);
  // The next due() is one period from now_ms (e.g. just did it another way).
  void restart(int64_t now_ms) { next_ms_ = now_ms + period_ms_; }
  void set_period_ms(int64_t period_ms) { period_ms_ = period_ms; }

 private:
  int64_t period_ms_;
  int64_t next_ms_ = INT64_MIN;  // INT64_MIN: due at once
};

struct NodeLoopOptions {
  std::string name = "node";                 // for the timeout message
  const Clock* clock = nullptr;              // required; not owned
  const std::atomic<bool>* stop = nullptr;   // optional: set (any thread) to end the loop with OK
  int64_t max_run_ms = 0;                    // unavailable after this long; 0 = no limit (default)
};

enum class Turn { again, done };

// Calls turn() until it returns done (OK), returns an error (that error),
// stop is set (OK) or max_run_ms has passed (unavailable). Each turn must
// block for a while (usually in SwarmNode::poll_events) so the loop does not
// spin. Thread affinity: the calling thread, for the whole run.
Status run_node_loop(const NodeLoopOptions& options, const std::function<Result<Turn>()>& turn);

}  // namespace bc::node
