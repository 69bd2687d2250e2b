#include "node/node_loop.hpp"

namespace bc::node {

bool Every::due(int64_t now_ms) {
  if (now_ms < next_ms_) return false;
  next_ms_ = now_ms + period_ms_;
  return true;
}

Status run_node_loop(const NodeLoopOptions& o, const std::function<Result<Turn>()>& turn) {
  if (!o.clock) return Status::invalid_argument(o.name + ": the loop has no clock");
  const int64_t start_ms = o.clock->now_ms();
  while (!(o.stop && o.stop->load())) {
    if (o.max_run_ms > 0 && o.clock->now_ms() - start_ms > o.max_run_ms)
      return Status::unavailable(o.name + ": not converged within " + std::to_string(o.max_run_ms) + " ms");
    BC_ASSIGN_OR_RETURN(Turn t, turn());
    if (t == Turn::done) return Status();
  }
  return Status();
}

}  // namespace bc::node
