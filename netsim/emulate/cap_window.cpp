#include "netsim/emulate/cap_window.hpp"

namespace bc::netsim {

Result<CapWindowPlan> plan_cap_window(const BranchDef& b, std::int64_t now_unix_ms, std::int64_t now_run_ms) {
  if (!b.cap_window) return Status::invalid_argument("branch " + b.name + " has no cap_window");
  const CapWindowDef& c = *b.cap_window;
  CapWindowPlan p;
  p.policy = b.wan_policy ? *b.wan_policy : governor::WanPolicy{};
  const std::int64_t earliest_ms = now_unix_ms + (c.after_ms - now_run_ms);
  p.boundary_unix_s = (earliest_ms + 59'999) / 60'000 * 60;  // the next whole minute at or after it
  p.at_ms = p.boundary_unix_s * 1000 - now_unix_ms + now_run_ms;
  p.end_at_ms = p.at_ms + std::int64_t(c.minutes) * 60'000;
  const std::int64_t local_min = ((p.boundary_unix_s / 60 + p.policy.utc_offset_min) % 1440 + 1440) % 1440;
  governor::TimeWindow w;
  w.days = governor::kAllDays;
  w.start_min = static_cast<int>(local_min);
  const std::int64_t end = (local_min + c.minutes) % 1440;
  w.end_min = end == 0 ? 1440 : static_cast<int>(end);  // 24:00, not an empty 00:00
  w.caps.download = governor::RateCap::absolute(static_cast<std::int64_t>(c.down_bytes_per_s));
  // Before the window, the caps in force are the branch's own.
  p.cap_before_bytes_per_s = governor::effective_caps(p.policy, p.boundary_unix_s - 1, {}).down_cap_bytes_per_s;
  p.policy.windows.insert(p.policy.windows.begin(), w);
  if (p.policy.windows.size() > governor::kMaxPolicyWindows) return Status::invalid_argument("branch " + b.name + ": too many policy windows");
  BC_RETURN_IF_ERROR(p.policy.validate().with_context("branch " + b.name + " cap_window"));
  p.cap_after_bytes_per_s = governor::effective_caps(p.policy, p.boundary_unix_s, {}).down_cap_bytes_per_s;
  return p;
}

}  // namespace bc::netsim
