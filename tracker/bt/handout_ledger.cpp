#include "tracker/bt/handout_ledger.hpp"

namespace bc::tracker::bt {

void HandoutLedger::roll(int64_t now_s) {
  if (window_start_s_ != INT64_MIN && now_s - window_start_s_ < interval_s_) return;
  // Align windows to multiples of the interval so every swarm rolls together.
  window_start_s_ = interval_s_ > 0 ? now_s - ((now_s % interval_s_) + interval_s_) % interval_s_ : now_s;
  counts_.clear();
}

uint32_t HandoutLedger::count(const NodeId& node) const {
  auto it = counts_.find(node);
  return it == counts_.end() ? 0 : it->second;
}

void HandoutLedger::record(const NodeId& node) {
  auto it = counts_.find(node);
  if (it != counts_.end()) {
    ++it->second;
  } else if (counts_.size() < max_entries_) {
    counts_.emplace(node, 1);
  } else {
    ++uncounted_;
  }
}

}  // namespace bc::tracker::bt
