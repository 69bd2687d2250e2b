#include "layers/governor/wan_governor_loop.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace bc::governor {

Status WanGovernorLoopOptions::validate() const {
  if (tick_interval_ms < 50 || tick_interval_ms > 1000)
    return Status::invalid_argument("wan governor loop: tick_interval_ms must be in [50, 1000]");
  if (node_down_cap_bytes_per_s <= 0 || node_up_cap_bytes_per_s <= 0)
    return Status::invalid_argument("wan governor loop: node caps must be > 0 (kNoLimit = none)");
  if (usage_window_ms < 0 || usage_window_ms > 10'000)
    return Status::invalid_argument("wan governor loop: usage_window_ms must be in [0, 10000]");
  if (window_rtt_margin_ms < 0 || window_rtt_margin_ms > 10'000)
    return Status::invalid_argument("wan governor loop: window_rtt_margin_ms must be in [0, 10000]");
  if (status_every_ticks < 0) return Status::invalid_argument("wan governor loop: status_every_ticks must be >= 0");
  return governor.validate();
}

WanGovernorLoop::WanGovernorLoop(WanGovernorLoopOptions options, WanPort& port)
    : options_(std::move(options)), port_(port), governor_(options_.governor) {}

void WanGovernorLoop::set_policy(const WanPolicy& policy) {
  if (policy == policy_) return;
  policy_ = policy;
  policy_changed_ = true;
}

void WanGovernorLoop::set_share(double fraction) {
  double f = std::isfinite(fraction) ? std::clamp(fraction, 1e-6, 1.0) : 1.0;
  if (f == share_) return;
  share_ = f;
  policy_changed_ = true;
}

// The branch cap is what the tracker split among reflectors, so this node's
// budget is its share of the cap in force now (windows included), recomputed
// every tick: a window change moves the budget within one tick, not at the
// next desired-state poll. An uncapped branch cannot be split (no budget).
int64_t WanGovernorLoop::budget(int64_t cap, int64_t node_cap) const {
  int64_t b = kNoLimit;
  if (share_ < 1.0 && cap != kNoLimit) b = std::max<int64_t>(1, int64_t(std::floor(double(cap) * share_)));
  return std::min(b, node_cap);
}

int64_t WanGovernorLoop::request_window_for(int64_t down_limit, double base_ms) const {
  constexpr int64_t kBlock = 16'384;
  const double rtt_ms = (base_ms > 0 ? base_ms : 100.0) + double(options_.window_rtt_margin_ms);
  return int64_t(std::ceil(double(down_limit) * rtt_ms / 1000.0)) + 2 * kBlock;
}

std::optional<WanTickReport> WanGovernorLoop::poll(int64_t now_ms, int64_t unix_s) {
  if (!options_.enabled) {
    if (rtt_) (void)rtt_->drain();  // keep the prober's buffer from filling to its bound
    return std::nullopt;
  }
  if (last_tick_ms_ && now_ms - *last_tick_ms_ < options_.tick_interval_ms) return std::nullopt;
  // The real gap (bounded): the bytes counted are those of the whole gap.
  const int64_t dt_ms = last_tick_ms_ ? std::clamp<int64_t>(now_ms - *last_tick_ms_, 0, 60'000) : 0;
  last_tick_ms_ = now_ms;

  RttDrain rtt;
  if (rtt_) rtt = rtt_->drain();
  const Moved raw = take_moved(dt_ms);
  const Moved seen = smooth_usage(raw);
  GovernorInput in;
  in.now_ms = now_ms;
  in.unix_time_s = unix_s;
  in.rtt_samples_ms = rtt.rtt_ms;
  in.loss_events = rtt.lost;
  in.bytes_down = seen.down;
  in.bytes_up = seen.up;
  const EffectiveCaps caps = effective_caps(policy_, unix_s, capacity_);
  in.budget_down_bytes_per_s = budget(caps.down_cap_bytes_per_s, options_.node_down_cap_bytes_per_s);
  in.budget_up_bytes_per_s = budget(caps.up_cap_bytes_per_s, options_.node_up_cap_bytes_per_s);

  GovernorDecision d = governor_.tick(in, policy_);
  capacity_ = d.capacity_estimate;
  const std::pair<int64_t, int64_t> limits{d.down_limit_bytes_per_s, d.up_limit_bytes_per_s};
  apply_limits(limits, d.in_slowdown, down_cap_binds(d, in, caps));
  apply_pace(limits.first, d.base_delay_ms);
  return make_report(d, limits, raw);
}

// WAN bytes moved since the previous tick, from the port's cumulative counts.
WanGovernorLoop::Moved WanGovernorLoop::take_moved(int64_t dt_ms) {
  const WanByteCounts bytes = port_.wan_bytes();
  Moved m{dt_ms, 0, 0};
  if (last_bytes_) {
    // Reclassed peers can make a cumulative count step back: that tick moved 0.
    m.down = bytes.down >= last_bytes_->down ? int64_t(bytes.down - last_bytes_->down) : 0;
    m.up = bytes.up >= last_bytes_->up ? int64_t(bytes.up - last_bytes_->up) : 0;
  }
  last_bytes_ = bytes;
  return m;
}

// The governor sees the mean rate of the last usage_window_ms, per tick.
WanGovernorLoop::Moved WanGovernorLoop::smooth_usage(const Moved& raw) {
  if (options_.usage_window_ms <= 0 || raw.dt_ms <= 0) return raw;
  usage_.push_back(raw);
  int64_t span = 0, down = 0, up = 0;
  size_t keep = 0;
  for (size_t i = usage_.size(); i-- > 0 && span < options_.usage_window_ms;) {
    span += usage_[i].dt_ms, down += usage_[i].down, up += usage_[i].up;
    ++keep;
  }
  usage_.erase(usage_.begin(), usage_.end() - int64_t(keep));
  return Moved{raw.dt_ms, down * raw.dt_ms / span, up * raw.dt_ms / span};
}

// True when the down limit the governor chose sits at the cap in force (the
// branch's, or this node's budget share of it).
bool WanGovernorLoop::down_cap_binds(const GovernorDecision& d, const GovernorInput& in,
                                     const EffectiveCaps& caps) const {
  const int64_t cap_down = in.budget_down_bytes_per_s == kNoLimit
                               ? caps.down_cap_bytes_per_s
                               : std::min(in.budget_down_bytes_per_s, caps.down_cap_bytes_per_s);
  return cap_down != kNoLimit && d.down_limit_bytes_per_s != kNoLimit && d.down_limit_bytes_per_s + 1 >= cap_down;
}

void WanGovernorLoop::apply_limits(std::pair<int64_t, int64_t> limits, bool in_slowdown, bool cap_down_binds) {
  // With request pacing the request window sets the pace (ack-clocked by the
  // bottleneck, no lumps); the class limit, when no cap binds, sits 25% above
  // it as a backstop, so libtorrent's limiter rarely releases a lump of
  // banked quota. A binding cap keeps its exact limit.
  std::pair<int64_t, int64_t> applied = limits;
  if (options_.request_pacing && limits.first != kNoLimit && !cap_down_binds)
    applied.first = std::min<int64_t>(kMaxRateBytesPerS, limits.first + limits.first / 4);
  // In a LEDBAT++ slowdown only the pace drops to the floor; the class limit
  // stays. Lowered too, it made libtorrent read the blocks already requested
  // at the floor rate while they arrived at line rate: they piled up in the
  // receive buffer, and when the slowdown ended the sender, its window open
  // again, sent the rest back to back (a 45 ms queue 0.5 s after the end, on
  // the emulated WAN).
  if (options_.request_pacing && in_slowdown && applied_) applied.first = applied_->first;
  if (applied_ && *applied_ == applied) return;
  auto lt = [](int64_t v) { return v == kNoLimit ? int64_t(0) : v; };
  port_.set_wan_limits(lt(applied.first), lt(applied.second));
  applied_ = applied;
}

void WanGovernorLoop::apply_pace(int64_t down_limit, double base_delay_ms) {
  if (!options_.request_pacing) return;
  const std::pair<int64_t, int64_t> pace =
      down_limit == kNoLimit ? std::pair<int64_t, int64_t>{0, 0}
                             : std::pair<int64_t, int64_t>{down_limit, request_window_for(down_limit, base_delay_ms)};
  if (pace != pace_) port_.set_request_pace(pace.first, pace.second);
  pace_ = pace;
}

WanTickReport WanGovernorLoop::make_report(const GovernorDecision& d, std::pair<int64_t, int64_t> limits,
                                           const Moved& raw) {
  WanTickReport r;
  r.down_bytes_per_s = raw.dt_ms > 0 ? raw.down * 1000 / raw.dt_ms : 0;
  r.periodic = options_.status_every_ticks > 0 && ++ticks_ % options_.status_every_ticks == 0;
  r.down_limit_bytes_per_s = limits.first;
  r.up_limit_bytes_per_s = limits.second;
  r.queuing_delay_ms = d.queuing_delay_ms;
  r.base_delay_ms = d.base_delay_ms;
  r.window_index = d.window_index;
  r.policy_changed = std::exchange(policy_changed_, false);
  for (const GovernorEvent& e : d.events)
    if (e.kind != GovernorEventKind::grow) r.events.push_back(e);
  return r;
}

}  // namespace bc::governor
