// The rollout status API (docs/api.md, "Status"): GET /api/v1/status/rollout
// and GET /api/v1/status/history, and the sampler step that fills the
// history. The history is owned by the caller (TrackerApp) and outlives the
// router.
#pragma once

#include "tracker/api/api_context.hpp"
#include "tracker/service/rollout_status.hpp"
#include "tracker/service/status_history.hpp"

namespace bc::tracker {

// Reads every branch, reflector, endpoint (with its effective desired stack)
// and status report in one read transaction, at ctx.clock's time.
Result<RolloutInputs> load_rollout_inputs(ApiContext& ctx);

// One sampler tick: tallies the rollout now and records a sample per branch
// into `history` (forgetting deleted branches). TrackerApp calls it every
// [status] sample_interval_s; tests call it directly with a ManualClock.
Status sample_rollout(ApiContext& ctx, StatusHistory& history);

void add_rollout_routes(Router& router, ApiContext& ctx, StatusHistory& history);

}  // namespace bc::tracker
