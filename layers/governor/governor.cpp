#include "layers/governor/governor.hpp"

#include <algorithm>
#include <cmath>

namespace bc::governor {

namespace {

int64_t to_limit(double rate) {
  return std::clamp<int64_t>(int64_t(std::llround(rate)), 1, kMaxRateBytesPerS);
}

}  // namespace

struct Governor::Tick {
  int64_t now_ms = 0;
  double dt_s = 0;             // control interval, clamped; 0 = no control this tick
  bool fresh = false;          // RTT samples arrived this tick
  int64_t loss_events = 0;
  std::optional<double> qd_ms; // filtered queuing delay
  double rtt_ms = 0;           // filtered current RTT (0 unknown)
  double base_ms = 0;          // base RTT (0 unknown)
  double target_ms = 25;
  int64_t cap[2] = {kNoLimit, kNoLimit};  // down, up: policy cap ∧ budget
  bool in_use[2] = {false, false};
  bool limited[2] = {false, false};
};

Governor::Governor(GovernorOptions opts)
    : opts_(opts), delay_(opts.delay), cap_down_(opts.capacity), cap_up_(opts.capacity) {
  down_.rate = up_.rate = double(opts.initial_rate_bytes_per_s);
}

Result<Governor> Governor::create(GovernorOptions opts) {
  BC_RETURN_IF_ERROR(opts.validate());
  return Governor(opts);
}

void Governor::emit(GovernorDecision& out, GovernorEvent e) {
  if (out.events.size() < kMaxEventsPerTick) out.events.push_back(e);
}

GovernorDecision Governor::tick(const GovernorInput& in, const WanPolicy& policy) {
  GovernorDecision out;
  Tick t;
  t.now_ms = in.now_ms;
  t.target_ms = double(policy.target_delay_ms) * opts_.setpoint_fraction;
  t.loss_events = in.loss_events;
  if (last_now_ms_ && in.now_ms > *last_now_ms_)
    t.dt_s = double(std::min(in.now_ms - *last_now_ms_, opts_.max_tick_gap_ms)) / 1000.0;
  if (!last_now_ms_) {
    next_slowdown_ms_ = in.now_ms + opts_.slowdown_interval_ms;  // even if no queue is ever seen
    if (policy.link_down_bytes_per_s > 0)
      down_.rate = std::max(down_.rate, opts_.initial_link_fraction * double(policy.link_down_bytes_per_s));
    if (policy.link_up_bytes_per_s > 0)
      up_.rate = std::max(up_.rate, opts_.initial_link_fraction * double(policy.link_up_bytes_per_s));
    down_.slow_start_from = down_.rate;
    up_.slow_start_from = up_.rate;
  }
  if (!last_now_ms_ || in.now_ms > *last_now_ms_) last_now_ms_ = in.now_ms;
  down_.bytes = std::max<int64_t>(0, in.bytes_down);
  up_.bytes = std::max<int64_t>(0, in.bytes_up);
  measure(in, t, out);

  LinkCapacity est{cap_down_.estimate_bytes_per_s(), cap_up_.estimate_bytes_per_s()};
  EffectiveCaps caps = effective_caps(policy, in.unix_time_s, est);
  t.cap[0] = std::min(caps.down_cap_bytes_per_s, in.budget_down_bytes_per_s);
  t.cap[1] = std::min(caps.up_cap_bytes_per_s, in.budget_up_bytes_per_s);
  if (last_window_ != -2 && caps.window_index != last_window_)
    emit(out, {GovernorEventKind::window_changed, Direction::down, 0, 0, t.qd_ms.value_or(-1), caps.window_index});
  last_window_ = caps.window_index;

  if (policy.latency_aware && t.dt_s > 0 && !run_slowdown(t, policy, out)) control(t, policy, out);
  apply_caps(t, policy, out);

  out.window_index = caps.window_index;
  out.queuing_delay_ms = t.qd_ms.value_or(-1);
  out.base_delay_ms = delay_.base_ms().value_or(-1);
  out.capacity_estimate = est;
  out.in_slowdown = in_slowdown_;
  return out;
}

// Feeds the delay tracker and the capacity estimators; classifies each direction.
void Governor::measure(const GovernorInput& in, Tick& t, GovernorDecision& out) {
  size_t n = in.rtt_samples_ms.size();
  size_t first = n > opts_.max_samples_per_tick ? n - opts_.max_samples_per_tick : 0;
  for (size_t i = first; i < n; ++i) {
    double rtt = in.rtt_samples_ms[i];
    if (!(rtt > 0) || !std::isfinite(rtt) || rtt > opts_.delay.max_rtt_ms) continue;
    t.fresh = true;
    if (delay_.add_sample(in.now_ms, rtt)) {
      // The cuts since the change answered a delay that was not a queue:
      // ramp back quickly, as at start.
      down_.slow_start = up_.slow_start = true;
      down_.slow_start_from = down_.rate;
      up_.slow_start_from = up_.rate;
      emit(out, {GovernorEventKind::route_change, Direction::down, 0, 0, -1, -1});
    }
  }
  if (t.fresh) last_sample_ms_ = in.now_ms;
  t.qd_ms = delay_.queuing_delay_ms();
  if (t.fresh && t.qd_ms) {
    if (prev_qd_ms_ && in.now_ms > prev_qd_at_ms_) {
      double slope = (*t.qd_ms - *prev_qd_ms_) * 1000.0 / double(in.now_ms - prev_qd_at_ms_);
      slope_ms_per_s_ += opts_.trend_smoothing * (slope - slope_ms_per_s_);
    }
    prev_qd_ms_ = t.qd_ms;
    prev_qd_at_ms_ = in.now_ms;
  }
  t.rtt_ms = delay_.current_ms().value_or(0);
  t.base_ms = delay_.base_ms().value_or(0);
  int64_t dt_ms = int64_t(t.dt_s * 1000);
  std::optional<double> qd = t.fresh ? t.qd_ms : std::nullopt;
  double target = t.target_ms;
  // A tick whose limit a cap set says nothing about the link: counting it
  // would let a percent cap feed on its own output and shrink.
  cap_down_.on_tick(in.now_ms, dt_ms, down_.bytes, down_.capped || in_slowdown_ ? std::nullopt : qd, target);
  cap_up_.on_tick(in.now_ms, dt_ms, up_.bytes, up_.capped || in_slowdown_ ? std::nullopt : qd, target);
  for (int i = 0; i < 2; ++i) {
    const DirState& s = i == 0 ? down_ : up_;
    if (t.dt_s <= 0 || s.limit_in_force == kNoLimit) continue;
    double used = double(s.bytes) / t.dt_s;
    t.in_use[i] = used >= opts_.idle_fraction * double(s.limit_in_force);
    t.limited[i] = used >= opts_.app_limited_fraction * double(s.limit_in_force);
  }
}

// LEDBAT++ periodic slowdown. Returns true while a slowdown owns the rates.
bool Governor::run_slowdown(Tick& t, const WanPolicy& policy, GovernorDecision& out) {
  double floor = double(policy.floor_bytes_per_s);
  if (in_slowdown_) {
    int64_t elapsed = t.now_ms - slowdown_start_ms_;
    int64_t min_ms = int64_t(opts_.slowdown_min_rtts * t.rtt_ms);
    // Drained: the queue is (nearly) gone, or it stopped falling — what is
    // left is not ours (a drifting base, someone else's queue), and waiting
    // longer would only cost throughput.
    bool drained = false;
    if (t.fresh && t.qd_ms) {
      drained = *t.qd_ms <= opts_.slowdown_drained_fraction * t.target_ms ||
                (slowdown_last_qd_ms_ >= 0 && *t.qd_ms >= slowdown_last_qd_ms_ - 1.0);
      slowdown_last_qd_ms_ = *t.qd_ms;
    }
    if ((elapsed >= min_ms && drained) || elapsed >= opts_.slowdown_max_ms) {
      in_slowdown_ = false;
      for (Direction d : {Direction::down, Direction::up}) {
        DirState& s = dir(d);
        emit(out, {GovernorEventKind::slowdown_end, d, s.rate, s.saved_rate, t.qd_ms.value_or(-1)});
        s.rate = s.saved_rate;
      }
      delay_.reset_current();
      prev_qd_ms_.reset();
      slope_ms_per_s_ = 0;
      int64_t gap = std::max<int64_t>(opts_.slowdown_interval_ms,
                                      int64_t(opts_.slowdown_duty_multiplier * double(elapsed)));
      next_slowdown_ms_ = t.now_ms + gap;
      return true;  // the restored rate holds for this tick
    }
    return true;
  }
  bool due = t.now_ms >= next_slowdown_ms_ && t.fresh;
  if (!due) return false;
  bool worth = (t.in_use[0] && down_.rate > 2 * floor) || (t.in_use[1] && up_.rate > 2 * floor);
  if (!worth) {
    next_slowdown_ms_ = t.now_ms + opts_.slowdown_interval_ms;  // already low: nothing to drain
    return false;
  }
  in_slowdown_ = true;
  slowdown_start_ms_ = t.now_ms;
  slowdown_last_qd_ms_ = -1;
  for (Direction d : {Direction::down, Direction::up}) {
    DirState& s = dir(d);
    s.saved_rate = s.rate;
    emit(out, {GovernorEventKind::slowdown_start, d, s.rate, floor, t.qd_ms.value_or(-1)});
    s.rate = floor;
  }
  return true;
}

// LEDBAT++ slows down shortly after the initial ramp: the base measured
// during the ramp may include a queue that was there before us.
void Governor::schedule_first_slowdown(int64_t now_ms) {
  if (!first_slowdown_pending_) return;
  first_slowdown_pending_ = false;
  next_slowdown_ms_ = std::min(next_slowdown_ms_, now_ms + opts_.slowdown_first_ms);
}

void Governor::backoff(Tick& t, double factor, GovernorEventKind kind, double floor, GovernorDecision& out) {
  bool any_in_use = t.in_use[0] || t.in_use[1];
  for (int i = 0; i < 2; ++i) {
    // A direction that moved (almost) nothing did not build the queue; when
    // neither did, cut both so a burst of demand starts from a lower rate.
    if (any_in_use && !t.in_use[i]) continue;
    Direction d = i == 0 ? Direction::down : Direction::up;
    DirState& s = dir(d);
    // A delay cut before the ramp has doubled the rate it started from does
    // not end slow start: that queue is not ours (on the emulated WAN, the
    // node's own manifest fetch over HTTP at a rollout's start), and ending
    // slow start on it left a branch 20 s of additive growth from 64 KiB/s.
    // grow() still ends it if the queue is there once the hold is over.
    if (kind == GovernorEventKind::loss_backoff || s.rate >= 2 * s.slow_start_from) s.slow_start = false;
    if (s.rate <= floor) continue;  // nothing left to give
    double before = s.rate;
    s.rate = std::max(floor, s.rate * factor);
    // A loss with no queue behind it may be noise (RFC 6817 still requires
    // the cut): while the queue stays under half the target, regrow at
    // slow-start speed up to the rate before the cut. A delay cut says that
    // rate was too high: regrow fast only to delay_recover_fraction of it
    // (0 by default: additively; with a bursty actuator fast recovery
    // overshot the spare and re-queued).
    s.recover_to = kind == GovernorEventKind::loss_backoff ? std::max(before, s.recover_to)
                                                           : before * opts_.delay_recover_fraction;
    emit(out, {kind, d, before, s.rate, t.qd_ms.value_or(-1)});
  }
  // The cut shows in the queue's trend about one base RTT later, whatever the
  // queue's length, so the hold scales with the base RTT, not the current one.
  hold_until_ms_ = t.now_ms + std::max<int64_t>(opts_.backoff_hold_min_ms, int64_t(2 * t.base_ms));
  if (!down_.slow_start && !up_.slow_start) schedule_first_slowdown(t.now_ms);
}

void Governor::control(Tick& t, const WanPolicy& policy, GovernorDecision& out) {
  bool holding = t.now_ms < hold_until_ms_;
  if (t.fresh) stale_ = false;
  if (t.loss_events > 0 && !holding) {
    backoff(t, opts_.loss_factor, GovernorEventKind::loss_backoff, double(policy.floor_bytes_per_s), out);
    return;
  }
  if (!t.fresh) {
    bool timed_out = !last_sample_ms_ || t.now_ms - *last_sample_ms_ > opts_.sample_timeout_ms;
    if (!timed_out) return;  // a short gap: hold the rate
    double k = std::exp(-t.dt_s * 1000.0 / double(opts_.stale_decay_tau_ms));
    double floor = double(policy.floor_bytes_per_s);
    for (Direction d : {Direction::down, Direction::up}) {
      DirState& s = dir(d);
      double before = s.rate;
      s.rate = std::max(floor, s.rate * k);
      if (!stale_) emit(out, {GovernorEventKind::samples_stale, d, before, s.rate, -1});
    }
    stale_ = true;
    return;
  }
  if (!t.qd_ms) return;
  if (holding) return;
  double qd = *t.qd_ms;
  // Above target: cut, unless an earlier cut is already draining the queue
  // (falling trend) and the delay is not extreme; cutting again for the same
  // queue would leave the link idle after it drains.
  const double cut_at = opts_.backoff_threshold * t.target_ms;
  bool draining = slope_ms_per_s_ < 0 && qd < cut_at + t.target_ms;
  if (qd > cut_at && draining) return;
  if (qd > cut_at) {
    // x0.9 just above target to x0.5 at twice the target; beyond that the
    // cut follows target/delay (a queue far above target, e.g. after a step
    // in cross traffic, needs more than halving to drain within seconds),
    // never below backoff_extreme.
    double excess = std::min(1.0, (qd - cut_at) / t.target_ms);
    double factor = opts_.backoff_mildest - (opts_.backoff_mildest - opts_.backoff_hardest) * excess;
    if (qd > cut_at + t.target_ms)
      factor = std::max(opts_.backoff_extreme, opts_.backoff_hardest * (cut_at + t.target_ms) / qd);
    backoff(t, factor, GovernorEventKind::backoff, double(policy.floor_bytes_per_s), out);
    return;
  }
  for (Direction d : {Direction::down, Direction::up}) grow(t, dir(d), d, policy, out);
}

// Below target: grow in proportion to the headroom, minus a proportional trim
// above the knee so that flows sharing a queue settle at equal rates.
void Governor::grow(Tick& t, DirState& s, Direction d, const WanPolicy& policy, GovernorDecision& out) {
  int i = d == Direction::down ? 0 : 1;
  if (!t.limited[i]) return;  // application-limited: growing would only build an unused allowance
  // The headroom looks ahead along a rising trend: the queue keeps growing
  // for a tick or two after the rate stops, so growth must stop early.
  double qd = *t.qd_ms;
  double ahead = qd + std::max(0.0, slope_ms_per_s_) * double(opts_.trend_lookahead_ms) / 1000.0;
  double target = t.target_ms;
  double headroom = std::clamp((target - ahead) / target, 0.0, 1.0);
  double floor = double(policy.floor_bytes_per_s);
  // The growth scale must be the same for every governor sharing the link
  // (fairness), so it comes from the policy's declared capacity, not from
  // this node's estimate.
  int64_t link = d == Direction::down ? policy.link_down_bytes_per_s : policy.link_up_bytes_per_s;
  double scale = link > 0 ? opts_.growth_scale_link_fraction * double(link) : double(opts_.growth_scale_bytes_per_s);
  double add = opts_.growth_gain_per_s * std::sqrt(std::max(s.rate, floor) * scale) * headroom * t.dt_s;
  // Recovery pauses while the queue is above half the target (the cut is
  // still draining it) and ends at the rate it aimed for, or at the next cut.
  if (s.rate >= s.recover_to) s.recover_to = 0;
  double fast = s.rate * opts_.slow_start_gain_per_s * headroom * t.dt_s;
  const bool recovering = s.recover_to > 0 && qd < opts_.slow_start_exit_fraction * target;
  if (!s.slow_start && recovering) add = std::max(add, std::min(fast, s.recover_to - s.rate));
  if (s.slow_start) {
    add = std::max(add, fast);
    if (qd >= opts_.slow_start_exit_fraction * target) {
      s.slow_start = false;
      schedule_first_slowdown(t.now_ms);
    }
  }
  add = std::min(add, s.rate * opts_.max_growth_per_tick);
  double trim = opts_.fairness_gain_per_s * s.rate * std::max(0.0, (qd - opts_.fairness_knee * target) / target) * t.dt_s;
  double before = s.rate;
  s.rate = std::max(floor, s.rate + add - trim);
  if (s.rate > before) emit(out, {GovernorEventKind::grow, d, before, s.rate, qd});
}

// Clamps each direction to [floor, cap] (the cap wins when below the floor)
// and writes the limits. Without latency awareness the limit is the cap.
void Governor::apply_caps(Tick& t, const WanPolicy& policy, GovernorDecision& out) {
  for (int i = 0; i < 2; ++i) {
    Direction d = i == 0 ? Direction::down : Direction::up;
    DirState& s = dir(d);
    double cap = t.cap[i] == kNoLimit ? double(kMaxRateBytesPerS) : double(t.cap[i]);
    double lo = std::min(double(policy.floor_bytes_per_s), cap);
    double before = s.rate;
    if (!policy.latency_aware) s.rate = t.cap[i] == kNoLimit ? std::max(s.rate, lo) : cap;
    s.rate = std::clamp(s.rate, lo, cap);
    if (in_slowdown_) s.saved_rate = std::min(s.saved_rate, cap);
    bool now_capped = t.cap[i] != kNoLimit && before >= cap;
    if (now_capped && !s.capped && policy.latency_aware)
      emit(out, {GovernorEventKind::cap_applied, d, before, s.rate, t.qd_ms.value_or(-1)});
    s.capped = now_capped;
    int64_t limit = policy.latency_aware ? to_limit(s.rate) : t.cap[i];
    s.limit_in_force = limit;
    (i == 0 ? out.down_limit_bytes_per_s : out.up_limit_bytes_per_s) = limit;
  }
}

}  // namespace bc::governor
