// How often each peer of one swarm was handed out in the current interval,
// so the selection policy can spread load instead of giving every requester
// the same few peers (Kraken's lesson: a naive topology-aware policy starved
// later groups). Pure: time is passed in.
//
// The window is fixed: the first call of roll() at or after
// window_start + interval_s starts a new window with zero counts. Bounded:
// at most max_entries peers are counted per window; hand-outs beyond that are
// not counted (and counted in `uncounted()`), which only weakens spreading.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "tracker/bt/peer.hpp"

namespace bc::tracker::bt {

class HandoutLedger {
 public:
  HandoutLedger(int64_t interval_s, size_t max_entries) : interval_s_(interval_s), max_entries_(max_entries) {}

  // Starts a new window when the current one is over.
  void roll(int64_t now_s);
  uint32_t count(const NodeId& node) const;
  void record(const NodeId& node);
  void forget(const NodeId& node) { counts_.erase(node); }

  size_t size() const { return counts_.size(); }
  uint64_t uncounted() const { return uncounted_; }
  int64_t window_start_s() const { return window_start_s_; }

 private:
  int64_t interval_s_;
  size_t max_entries_;
  int64_t window_start_s_ = INT64_MIN;
  std::unordered_map<NodeId, uint32_t> counts_;
  uint64_t uncounted_ = 0;
};

}  // namespace bc::tracker::bt
