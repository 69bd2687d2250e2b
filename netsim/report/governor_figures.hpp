// The WAN governor's figures of one branch, from the link's series (ground
// truth at the emulated WAN, not the nodes' own counters) and the cross
// traffic's latency samples (DESIGN §6, issue 6). Pure.
//
// Rollout period: from the branch's first assignment to the last completion
// of its endpoints (the end of the series when one is not done). Over it:
//   spare taken = rollout IP bytes / (capacity x time - cross-traffic IP bytes),
//     rollout = everything on the downlink but the cross-traffic node's packets;
//     and, for a static cap (bytes/s, or % of the declared link), the same
//     against min(capacity - cross, cap) per bin: a cap below the spare is the
//     administrator's choice, not bandwidth the governor left;
//   added delay = interactive latency minus its unloaded baseline (the median
//     of the samples sent before the rollout; the minimum when there are none);
//   queue delay = the emulator's per-100 ms mean (and max) queue delay.
// Caps: payload rate of the rollout at the link (L4 payload, cross traffic
// excluded) over 10 s windows in 1 s steps, against the cap in force, from
// kCapSettleMs after the rollout starts or 2 s after a window change.
// Window change: time from the boundary to the end of the first 1 s window
// whose mean payload rate is within 10% of the new cap (so >= ~0.9 s even
// for an instant change, when the cap halves), and to the first one past the
// midpoint of the old and new caps (>= ~0.5 s for an instant change).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "netsim/report/run_inputs.hpp"
#include "netsim/scenario/scenario.hpp"

namespace bc::netsim {

inline constexpr std::int64_t kCapSettleMs = 10'000;
inline constexpr std::int64_t kCapWindowMs = 10'000;
inline constexpr std::int64_t kCapStepMs = 1'000;
inline constexpr std::int64_t kWindowChangeSettleMs = 2'000;

struct CapCheck {
  std::int64_t from_ms = 0, to_ms = 0;  // the period checked (run clock)
  std::int64_t cap_bytes_per_s = 0;
  int windows = 0;                      // 10 s windows inside the period
  double payload_min = -1, payload_max = -1, payload_mean = -1;  // rollout L4 payload / cap
  double ip_min = -1, ip_max = -1, ip_mean = -1;                 // rollout IP bytes / cap
};

struct GovernorFigures {
  std::string branch;
  std::string mode;                 // "on", "ledbat", "off-tcp"
  std::int64_t rollout_start_ms = -1, rollout_end_ms = -1;
  bool rollout_done = false;
  double capacity_mbit = 0;         // link down rate
  double rollout_mbit = 0;          // mean over the rollout period, IP bytes
  double cross_mbit = 0;
  double spare_taken = -1;          // -1: no rollout period / no link data
  // The same against what the policy lets the rollout take: per 100 ms bin,
  // min(capacity - cross traffic, the branch's static cap). -1 when the
  // policy has no static cap (then it equals spare_taken).
  double spare_taken_within_cap = -1;
  double baseline_ms = -1;          // interactive unloaded latency
  double added_p50_ms = -1, added_p95_ms = -1;
  std::size_t added_samples = 0;
  double qdelay_mean_p50_ms = -1, qdelay_mean_p95_ms = -1, qdelay_max_p95_ms = -1;
  // The queue delay the cross traffic's own packets saw at the link, per
  // packet (1 ms buckets, upper edges): over the rollout, and its median
  // before the rollout (unloaded: the cross traffic's own bursts). Added p95 =
  // rollout p95 - unloaded median. -1 when the run has no such series.
  double xt_qdelay_p50_ms = -1, xt_qdelay_p95_ms = -1, xt_qdelay_unloaded_p50_ms = -1, xt_qdelay_added_p95_ms = -1;
  std::uint64_t xt_qdelay_packets = 0;
  // What the rest of the traffic (the rollout) added to each of those
  // packets' queue delay, against a queue of the cross traffic alone at the
  // link's rate (LinkScheduler::offer): p50/p95 over the rollout, and p95
  // before it (0 when only the cross traffic ran). -1 without the series.
  double xt_added_p50_ms = -1, xt_added_p95_ms = -1, xt_added_unloaded_p95_ms = -1;
  std::vector<CapCheck> caps;
  double window_change_latency_ms = -1;  // -1: no window change, or the rate never followed
  // From the boundary to the end of the first 1 s window whose mean payload
  // rate is past the midpoint of the old and new caps: the rate moved, however
  // exactly it then holds the new cap. -1 as above.
  double window_change_half_ms = -1;

  nlohmann::json to_json() const;
};

GovernorFigures governor_figures(const Scenario& s, const BranchDef& b, const RunInputs& in);

// A cap check over [from_ms, to_ms) of a link's down direction (exposed for tests).
CapCheck check_cap(const DirectionData& down, std::int64_t interval_ms, std::int64_t from_ms, std::int64_t to_ms,
                   std::int64_t cap_bytes_per_s);

}  // namespace bc::netsim
