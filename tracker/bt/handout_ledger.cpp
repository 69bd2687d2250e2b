#include "tracker/bt/handout_ledger.hpp"

namespace bc::tracker::bt {

void HandoutLedger::roll(int64_t now_s) {
  if (window_start_s_ != INT64_MIN && now_s - window_start_s_ < interval_s_) return;
  // Align windows to multiples of the interval so every swarm rolls together.
  window_start_s_ = interval_s_ > 0 ? now_s - ((now_s % interval_s_) + interval_s_) % interval_s_ : now_s;
  ++window_;  // every count of the old window now reads as zero
}

void HandoutLedger::record(const PeerEntry& peer) const {
  if (peer.handout_window != window_) {
    peer.handout_window = window_;
    peer.handouts = 0;
  }
  ++peer.handouts;
}

}  // namespace bc::tracker::bt
