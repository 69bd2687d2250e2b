// The WAN governor: sets the WAN peer class's download and upload limits from
// the policy caps and the added queuing delay on the path to the origin
// (LEDBAT-style, RFC 6817, with the LEDBAT++ fixes). Pure: no sockets, threads
// or clock of its own; the caller feeds one GovernorInput per tick (every
// 100-500 ms) with the time, RTT samples and bytes moved, and applies the
// returned limits. The real nodes (through node/governor) and netsim's emulated
// branches run this same code.
//
// Thread affinity: one instance is driven by one thread (not thread-safe).
// docs/architecture.md "WAN governor" explains the algorithm and its choices.
//
// A node's driver, every tick (e.g. 200 ms, on its event loop):
//   std::vector<double> rtts = pinger.take_rtt_samples_ms();   // to the origin
//   GovernorInput in;
//   in.now_ms = steady_ms(); in.unix_time_s = wall_s();
//   in.rtt_samples_ms = rtts;  // borrowed for the call
//   in.bytes_down = wan_class_stats.recv_delta; in.bytes_up = wan_class_stats.sent_delta;
//   in.loss_events = retransmit_timeouts_delta;
//   in.budget_down_bytes_per_s = share_from_tracker;          // or kNoLimit
//   GovernorDecision d = governor.tick(in, policy_from_tracker);
//   swarm.set_wan_limits(d.down_limit_bytes_per_s, d.up_limit_bytes_per_s);  // kNoLimit -> 0
//   for (auto& e : d.events) log(e);                           // `grow` at debug level
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "layers/governor/capacity_estimator.hpp"
#include "layers/governor/delay_tracker.hpp"
#include "layers/governor/wan_policy.hpp"
#include "layers/util/status.hpp"

namespace bc::governor {

struct GovernorOptions {
  DelayTrackerOptions delay;        // base/current delay filters (see delay_tracker.hpp)
  CapacityEstimatorOptions capacity;  // capacity estimate for % caps

  // The delay the control aims at, as a fraction of the policy's target: the
  // target bounds what people's traffic sees at the 95th percentile, so the
  // standing queue must sit below it. (0, 1]; default 1.
  double setpoint_fraction = 1.0;
  int64_t initial_rate_bytes_per_s = 65'536;  // first rate before any feedback; default 64 KiB/s
  // When the policy declares the link, the first rate is at least this x its
  // capacity (slow start from 64 KiB/s takes ~4 s to fill 50 Mbit/s).
  // [0, 1]; default 0.
  double initial_link_fraction = 0;
  int64_t max_tick_gap_ms = 2'000;    // a longer tick counts as this much for control; default 2 s
  size_t max_samples_per_tick = 1'024;  // RTT samples used per tick (the newest); default 1024

  double slow_start_gain_per_s = 1.0;   // slow start: +this x rate per s at full headroom; default 1.0
  double slow_start_exit_fraction = 0.5;  // leave slow start at this x target delay; default 0.5
  double growth_gain_per_s = 0.25;      // additive growth: gain x sqrt(rate x scale) per s; default 0.25
  int64_t growth_scale_bytes_per_s = 125'000;  // scale of the additive growth when the policy
                                               // declares no link capacity; default 1 Mbit/s
  double growth_scale_link_fraction = 0.1;  // else scale = this x declared capacity; default 0.1
  double max_growth_per_tick = 0.5;     // growth per tick at most this x rate; default 0.5
  double fairness_gain_per_s = 1.0;     // proportional trim above the knee, per s; default 1.0
  double fairness_knee = 0.5;           // trim starts at this x target delay; default 0.5

  int64_t trend_lookahead_ms = 800;     // growth sees qd + rising trend x this; default 800 ms
  double trend_smoothing = 0.5;         // EWMA weight of a new queuing-delay slope; default 0.5

  // Cut only when the queuing delay is above this x the setpoint; between
  // the setpoint and that, growth has stopped and the proportional trim
  // (fairness_*) brings the rate down smoothly. [1, 4]; default 1.
  double backoff_threshold = 1.0;
  double backoff_mildest = 0.9;         // cut just above target; default x0.9
  double backoff_hardest = 0.5;         // cut at 2 x target; default x0.5
  double backoff_extreme = 0.25;        // beyond: x hardest x 2 x target / delay, not below this; default x0.25
  int64_t backoff_hold_min_ms = 300;    // after a cut: no cut or growth for max(this, 2 base RTT); default 300 ms
  // After a delay cut, regrow at slow-start speed up to this x the rate
  // before the cut, then additively; 0 = additively from the cut. With a
  // bursty actuator this overshot; with paced requests the cut rate is a
  // good guess of the spare (docs/benchmarks.md). [0, 1); default 0.
  double delay_recover_fraction = 0;
  double loss_factor = 0.5;             // cut on a loss signal (RFC 6817); default x0.5

  int64_t slowdown_first_ms = 3'000;    // first slowdown this long after slow start ends (or the
                                        // first cut), else slowdown_interval_ms after start; default 3 s
  int64_t slowdown_interval_ms = 20'000;  // then every this long at least; default 20 s
  double slowdown_duty_multiplier = 9;  // and at least this x the last slowdown's length; default 9
  int slowdown_min_rtts = 2;            // a slowdown lasts at least this many RTTs; default 2
  int64_t slowdown_max_ms = 2'000;      // and at most this long; default 2 s
  double slowdown_drained_fraction = 0.2;  // drained when queuing delay <= this x target (or it
                                           // stopped falling); default 0.2

  int64_t sample_timeout_ms = 5'000;    // no RTT sample this long: decay; default 5 s
  int64_t stale_decay_tau_ms = 30'000;  // decay time constant toward the floor; default 30 s

  double app_limited_fraction = 0.5;    // grow only when the tick used >= this x the limit; default 0.5
  double idle_fraction = 0.1;           // a direction below this x its limit did not cause the queue; default 0.1

  Status validate() const;
};

enum class Direction : uint8_t { down, up };

enum class GovernorEventKind : uint8_t {
  backoff,         // queuing delay above target: multiplicative cut
  loss_backoff,    // a loss signal: cut by loss_factor
  grow,            // below target: rate raised
  slowdown_start,  // periodic drop to the floor so the queue drains (LEDBAT++)
  slowdown_end,    // rate restored
  cap_applied,     // the hard/time-window/budget cap started to bind
  window_changed,  // a different policy window is in force
  route_change,    // the base delay moved up: old history dropped
  samples_stale,   // no RTT samples for sample_timeout_ms: decaying to the floor
};
const char* to_string(GovernorEventKind k);

struct GovernorEvent {
  GovernorEventKind kind;
  Direction dir = Direction::down;  // for rate events; down for link-wide ones
  double from_bytes_per_s = 0;
  double to_bytes_per_s = 0;
  double queuing_delay_ms = -1;     // -1 = unknown
  int window_index = -1;            // for window_changed
};

struct GovernorInput {
  int64_t now_ms = 0;        // monotonic time of this tick (any epoch)
  int64_t unix_time_s = 0;   // wall clock, for the policy's time windows
  std::span<const double> rtt_samples_ms;  // RTTs to the origin since the last tick, ms; may be
                                           // empty; borrowed for the call; invalid ones ignored
  int64_t bytes_down = 0;    // WAN-class bytes received since the last tick
  int64_t bytes_up = 0;      // WAN-class bytes sent since the last tick
  int64_t loss_events = 0;   // losses/retransmit timeouts seen since the last tick
  int64_t budget_down_bytes_per_s = kNoLimit;  // this node's share of the branch budget (split_budget)
  int64_t budget_up_bytes_per_s = kNoLimit;
};

struct GovernorDecision {
  int64_t down_limit_bytes_per_s = kNoLimit;  // kNoLimit = unlimited
  int64_t up_limit_bytes_per_s = kNoLimit;
  double queuing_delay_ms = -1;  // filtered, -1 = unknown
  double base_delay_ms = -1;     // -1 = unknown
  LinkCapacity capacity_estimate;
  int window_index = -1;
  bool in_slowdown = false;
  std::vector<GovernorEvent> events;  // why the limits moved; at most kMaxEventsPerTick
};

inline constexpr size_t kMaxEventsPerTick = 16;

class Governor {
 public:
  // REQUIRES: opts.validate().ok() (use create() for unchecked options).
  explicit Governor(GovernorOptions opts = {});
  static Result<Governor> create(GovernorOptions opts);

  // One control step. REQUIRES: policy.validate().ok(). Ticks whose now_ms
  // does not advance change no rate (caps still apply).
  GovernorDecision tick(const GovernorInput& in, const WanPolicy& policy);

  // The rate the controller holds for a direction (bytes/s), for tests/logs.
  double rate_bytes_per_s(Direction d) const { return dir(d).rate; }

 private:
  struct DirState {
    double rate = 0;
    double saved_rate = 0;    // rate to restore after a slowdown
    bool slow_start = true;
    double slow_start_from = 0;  // the rate slow start began at (first tick, route change)
    double recover_to = 0;    // after a loss cut: regrow multiplicatively up to this
    bool capped = false;
    int64_t limit_in_force = kNoLimit;  // the limit the last tick returned
    int64_t bytes = 0;        // moved in this tick
  };
  struct Tick;  // per-tick scratch (governor.cpp)

  DirState& dir(Direction d) { return d == Direction::down ? down_ : up_; }
  const DirState& dir(Direction d) const { return d == Direction::down ? down_ : up_; }
  void measure(const GovernorInput& in, Tick& t, GovernorDecision& out);
  bool run_slowdown(Tick& t, const WanPolicy& policy, GovernorDecision& out);
  void control(Tick& t, const WanPolicy& policy, GovernorDecision& out);
  void backoff(Tick& t, double factor, GovernorEventKind kind, double floor, GovernorDecision& out);
  void grow(Tick& t, DirState& s, Direction d, const WanPolicy& policy, GovernorDecision& out);
  void schedule_first_slowdown(int64_t now_ms);
  void apply_caps(Tick& t, const WanPolicy& policy, GovernorDecision& out);
  static void emit(GovernorDecision& out, GovernorEvent e);

  GovernorOptions opts_;
  DelayTracker delay_;
  CapacityEstimator cap_down_;
  CapacityEstimator cap_up_;
  DirState down_;
  DirState up_;
  std::optional<int64_t> last_now_ms_;
  std::optional<int64_t> last_sample_ms_;
  int64_t hold_until_ms_ = 0;
  int64_t next_slowdown_ms_ = 0;  // set at the first tick; brought forward when slow start ends
  bool in_slowdown_ = false;
  bool first_slowdown_pending_ = true;
  int64_t slowdown_start_ms_ = 0;
  double slowdown_last_qd_ms_ = -1;  // queuing delay at the previous tick of this slowdown
  bool stale_ = false;
  int last_window_ = -2;  // -2 = no tick yet
  std::optional<double> prev_qd_ms_;  // filtered queuing delay at the last fresh tick
  int64_t prev_qd_at_ms_ = 0;
  double slope_ms_per_s_ = 0;         // smoothed trend of the queuing delay
};

}  // namespace bc::governor
