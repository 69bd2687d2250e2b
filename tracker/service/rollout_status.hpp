// A rollout as administrators watch it (GET /api/v1/status/rollout): per
// branch, reflectors alive, endpoints done/total per layer of their desired
// stacks, bytes by source, WAN bytes and rate against the cap in force, ETA,
// errors and stragglers. Pure: the caller loads the records
// (tracker/api/rollout_api.cpp) and passes the time and the sampler's history.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tracker/service/status_history.hpp"

namespace bc::tracker {

// Lists in the answer are bounded: the first of these many (see rollout_json).
inline constexpr size_t kMaxRolloutErrors = 20;
inline constexpr size_t kMaxRolloutStragglers = 50;

struct RolloutNode {
  std::string id;
  std::string role;    // "endpoint" or "reflector"
  std::string branch;
  // Endpoints: the refs of the effective desired stack, with each layer's
  // size from its record (the bytes_total when the node has not reported).
  std::map<std::string, int64_t> desired;
  nlohmann::json report;  // the stored status report (status_summary.hpp), or null
};

struct RolloutBranch {
  std::string name;
  nlohmann::json wan_policy;  // the branch record's object, or null
  int64_t reflectors_alive = 0;  // heartbeat within [announce] reflector_live_s
  int64_t reflectors_total = 0;
};

struct RolloutInputs {
  int64_t now_unix_s = 0;
  std::vector<RolloutBranch> branches;  // every branch, by name
  std::vector<RolloutNode> nodes;       // every enrolled endpoint and reflector
};

// What one branch adds up to now, before rates (sampled into the history).
struct BranchTally {
  int64_t endpoints = 0;
  int64_t wan_bytes = 0;  // bytes_by_source.origin over the branch's nodes
  std::map<std::string, int64_t> bytes_by_source;  // origin, reflector, peer
  struct Layer {
    LayerCounts counts;
    int64_t downloading = 0;  // state downloading or verifying
    int64_t failed = 0;
  };
  std::map<std::string, Layer> layers;
  nlohmann::json errors = nlohmann::json::array();  // [{"node","error","time"}], newest first, bounded
  std::vector<std::string> stragglers;  // sorted, bounded
};

// Per branch name (every branch of `in`, plus any a node names that has no record).
//
// A layer is done on an endpoint when its report lists the ref as complete or
// applied, or in "applied". A straggler is an endpoint that has not done some
// layer of its desired stack while at least half of the branch's endpoints
// that need the layer have (or that has sent no report at all while others
// have): the ones to look at when a rollout stalls near the end.
std::map<std::string, BranchTally> tally_rollout(const RolloutInputs& in);

// The history sample of a tally (wan_rate is filled by StatusHistory::record).
StatusSample tally_sample(const BranchTally& t, int64_t now_unix_s);

// The GET /api/v1/status/rollout body (docs/api.md, "Status"): {"time", "branches": [...]}
// with rates and ETAs from `history` (rate 0 and eta null until it has two samples).
nlohmann::json rollout_json(const RolloutInputs& in, const std::map<std::string, BranchTally>& tallies,
                            const StatusHistory& history);

}  // namespace bc::tracker
