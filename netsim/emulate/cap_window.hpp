// The policy a branch's `cap_window` turns into: policy windows are wall-clock
// with minute granularity, so the orchestrator picks the first UTC minute
// boundary at least `after_ms` into the run, puts a window starting there in
// front of the branch's policy (first match wins), and records when the
// boundary falls on the run clock, so the report can measure how soon the
// link follows. Pure: the caller passes both clocks.
#pragma once

#include <cstdint>
#include <string>

#include "layers/governor/wan_policy.hpp"
#include "layers/util/status.hpp"
#include "netsim/scenario/scenario.hpp"

namespace bc::netsim {

struct CapWindowPlan {
  governor::WanPolicy policy;            // the branch's policy with the window first
  std::int64_t boundary_unix_s = 0; // the window starts here (a whole UTC minute)
  std::int64_t at_ms = 0;           // the same instant on the run clock
  std::int64_t end_at_ms = 0;       // the window's end on the run clock
  std::int64_t cap_before_bytes_per_s = governor::kNoLimit;  // download cap in force just before
  std::int64_t cap_after_bytes_per_s = governor::kNoLimit;   // in the window
};

// REQUIRES: b.cap_window set, b validated. `now_unix_ms` (wall clock) and
// `now_run_ms` (run clock) are the same instant.
Result<CapWindowPlan> plan_cap_window(const BranchDef& b, std::int64_t now_unix_ms, std::int64_t now_run_ms);

}  // namespace bc::netsim
