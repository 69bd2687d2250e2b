// GovernorOptions::validate and the event names: the governor's contract
// with its configuration, apart from the control law in governor.cpp.
#include <string>

#include "layers/governor/governor.hpp"

namespace bc::governor {

namespace {

Status check(bool ok, const char* what) {
  return ok ? Status() : Status::invalid_argument(std::string("GovernorOptions.") + what);
}

}  // namespace

const char* to_string(GovernorEventKind k) {
  switch (k) {
    case GovernorEventKind::backoff: return "backoff";
    case GovernorEventKind::loss_backoff: return "loss_backoff";
    case GovernorEventKind::grow: return "grow";
    case GovernorEventKind::slowdown_start: return "slowdown_start";
    case GovernorEventKind::slowdown_end: return "slowdown_end";
    case GovernorEventKind::cap_applied: return "cap_applied";
    case GovernorEventKind::window_changed: return "window_changed";
    case GovernorEventKind::route_change: return "route_change";
    case GovernorEventKind::samples_stale: return "samples_stale";
  }
  return "?";
}

Status GovernorOptions::validate() const {
  const auto& o = *this;
  BC_RETURN_IF_ERROR(check(o.delay.bucket_ms >= 1'000, "delay.bucket_ms must be >= 1000"));
  BC_RETURN_IF_ERROR(check(o.delay.buckets >= 1 && o.delay.buckets <= 1'000, "delay.buckets must be in [1, 1000]"));
  BC_RETURN_IF_ERROR(check(o.delay.current_filter_samples >= 1 && o.delay.current_filter_samples <= 64,
                           "delay.current_filter_samples must be in [1, 64]"));
  BC_RETURN_IF_ERROR(check(o.delay.route_change_buckets >= 0 && o.delay.route_change_buckets < o.delay.buckets,
                           "delay.route_change_buckets must be in [0, buckets)"));
  BC_RETURN_IF_ERROR(check(o.delay.route_change_threshold_ms > 0, "delay.route_change_threshold_ms must be > 0"));
  BC_RETURN_IF_ERROR(check(o.capacity.sustain_ms >= 100, "capacity.sustain_ms must be >= 100"));
  BC_RETURN_IF_ERROR(check(o.capacity.bucket_ms >= 1'000, "capacity.bucket_ms must be >= 1000"));
  BC_RETURN_IF_ERROR(check(o.capacity.buckets >= 1 && o.capacity.buckets <= 1'000, "capacity.buckets must be in [1, 1000]"));
  BC_RETURN_IF_ERROR(check(o.setpoint_fraction > 0 && o.setpoint_fraction <= 1, "setpoint_fraction must be in (0, 1]"));
  BC_RETURN_IF_ERROR(check(o.initial_rate_bytes_per_s >= 1, "initial_rate_bytes_per_s must be >= 1"));
  BC_RETURN_IF_ERROR(check(o.initial_link_fraction >= 0 && o.initial_link_fraction <= 1,
                           "initial_link_fraction must be in [0, 1]"));
  BC_RETURN_IF_ERROR(check(o.max_tick_gap_ms >= 10, "max_tick_gap_ms must be >= 10"));
  BC_RETURN_IF_ERROR(check(o.max_samples_per_tick >= 1 && o.max_samples_per_tick <= 65'536,
                           "max_samples_per_tick must be in [1, 65536]"));
  BC_RETURN_IF_ERROR(check(o.slow_start_gain_per_s >= 0 && o.slow_start_gain_per_s <= 10, "slow_start_gain_per_s must be in [0, 10]"));
  BC_RETURN_IF_ERROR(check(o.slow_start_exit_fraction > 0 && o.slow_start_exit_fraction <= 1, "slow_start_exit_fraction must be in (0, 1]"));
  BC_RETURN_IF_ERROR(check(o.growth_gain_per_s > 0 && o.growth_gain_per_s <= 10, "growth_gain_per_s must be in (0, 10]"));
  BC_RETURN_IF_ERROR(check(o.growth_scale_bytes_per_s >= 1, "growth_scale_bytes_per_s must be >= 1"));
  BC_RETURN_IF_ERROR(check(o.growth_scale_link_fraction > 0 && o.growth_scale_link_fraction <= 1,
                           "growth_scale_link_fraction must be in (0, 1]"));
  BC_RETURN_IF_ERROR(check(o.max_growth_per_tick > 0 && o.max_growth_per_tick <= 1, "max_growth_per_tick must be in (0, 1]"));
  BC_RETURN_IF_ERROR(check(o.fairness_gain_per_s >= 0 && o.fairness_gain_per_s <= 10, "fairness_gain_per_s must be in [0, 10]"));
  BC_RETURN_IF_ERROR(check(o.fairness_knee >= 0 && o.fairness_knee < 1, "fairness_knee must be in [0, 1)"));
  BC_RETURN_IF_ERROR(check(o.trend_lookahead_ms >= 0 && o.trend_lookahead_ms <= 10'000,
                           "trend_lookahead_ms must be in [0, 10000]"));
  BC_RETURN_IF_ERROR(check(o.trend_smoothing > 0 && o.trend_smoothing <= 1, "trend_smoothing must be in (0, 1]"));
  BC_RETURN_IF_ERROR(check(o.backoff_threshold >= 1 && o.backoff_threshold <= 4, "backoff_threshold must be in [1, 4]"));
  BC_RETURN_IF_ERROR(check(o.backoff_hardest > 0 && o.backoff_hardest <= o.backoff_mildest && o.backoff_mildest < 1,
                           "backoff factors must satisfy 0 < backoff_hardest <= backoff_mildest < 1"));
  BC_RETURN_IF_ERROR(check(o.backoff_extreme > 0 && o.backoff_extreme <= o.backoff_hardest,
                           "backoff_extreme must be in (0, backoff_hardest]"));
  BC_RETURN_IF_ERROR(check(o.backoff_hold_min_ms >= 0, "backoff_hold_min_ms must be >= 0"));
  BC_RETURN_IF_ERROR(check(o.delay_recover_fraction >= 0 && o.delay_recover_fraction < 1,
                           "delay_recover_fraction must be in [0, 1)"));
  BC_RETURN_IF_ERROR(check(o.loss_factor > 0 && o.loss_factor < 1, "loss_factor must be in (0, 1)"));
  BC_RETURN_IF_ERROR(check(o.slowdown_first_ms >= 0, "slowdown_first_ms must be >= 0"));
  BC_RETURN_IF_ERROR(check(o.slowdown_interval_ms >= 1'000, "slowdown_interval_ms must be >= 1000"));
  BC_RETURN_IF_ERROR(check(o.slowdown_duty_multiplier >= 1, "slowdown_duty_multiplier must be >= 1"));
  BC_RETURN_IF_ERROR(check(o.slowdown_min_rtts >= 1, "slowdown_min_rtts must be >= 1"));
  BC_RETURN_IF_ERROR(check(o.slowdown_max_ms >= 1, "slowdown_max_ms must be >= 1"));
  BC_RETURN_IF_ERROR(check(o.slowdown_drained_fraction > 0 && o.slowdown_drained_fraction < 1,
                           "slowdown_drained_fraction must be in (0, 1)"));
  BC_RETURN_IF_ERROR(check(o.sample_timeout_ms >= 1, "sample_timeout_ms must be >= 1"));
  BC_RETURN_IF_ERROR(check(o.stale_decay_tau_ms >= 1, "stale_decay_tau_ms must be >= 1"));
  BC_RETURN_IF_ERROR(check(o.app_limited_fraction >= 0 && o.app_limited_fraction <= 1, "app_limited_fraction must be in [0, 1]"));
  BC_RETURN_IF_ERROR(check(o.idle_fraction >= 0 && o.idle_fraction <= o.app_limited_fraction,
                           "idle_fraction must be in [0, app_limited_fraction]"));
  return {};
}

}  // namespace bc::governor
