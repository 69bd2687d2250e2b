// How often each peer of one swarm was handed out in the current interval,
// so the selection policy can spread load instead of giving every requester
// the same few peers (Kraken's lesson: a naive topology-aware policy starved
// later groups). Pure: time is passed in.
//
// The window is fixed: the first call of roll() at or after
// window_start + interval_s starts a new window with zero counts. The counts
// live in the swarm's PeerEntry (tagged with the window they belong to), so
// they are bounded by the swarm's peers and vanish with the entry when a
// peer leaves; a count from an older window reads as zero.
#pragma once

#include <cstdint>

#include "tracker/bt/peer.hpp"

namespace bc::tracker::bt {

class HandoutLedger {
 public:
  explicit HandoutLedger(int64_t interval_s) : interval_s_(interval_s) {}

  // Starts a new window when the current one is over.
  void roll(int64_t now_s);
  uint32_t count(const PeerEntry& peer) const { return peer.handout_window == window_ ? peer.handouts : 0; }
  // REQUIRES: `peer` belongs to the swarm owning this ledger.
  void record(const PeerEntry& peer) const;

  int64_t window_start_s() const { return window_start_s_; }

 private:
  int64_t interval_s_;
  int64_t window_start_s_ = INT64_MIN;
  uint64_t window_ = 1;  // entries start in window 0, which is never current
};

}  // namespace bc::tracker::bt
