// The effective desired stack of an endpoint and the layer set of a branch's
// reflectors. Pure: the caller loads the records (desired_state_loader.hpp).
//
// Precedence (first that exists wins, whole stack, no merging):
//   1. an assignment to the endpoint itself;
//   2. an assignment to a group the endpoint is a member of (several: the
//      group whose name sorts first);
//   3. an assignment to the endpoint's branch, else to the nearest ancestor
//      branch that has one (parents followed up to kMaxBranchDepth).
// Then layers are filtered: retired or unknown layers are skipped, and a
// driver layer whose match rules do not match the endpoint's hardware facts
// (driver_matches) is skipped; every skip is reported with its reason.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "layers/model/manifest.hpp"

namespace bc::tracker {

inline constexpr int kMaxBranchDepth = 16;

struct LayerInfo {
  LayerRef ref;
  LayerKind kind = LayerKind::base;
  std::string info_hash;
  std::map<std::string, std::string> match;  // driver rules
  bool retired = false;
  uint64_t total_bytes = 0;
};

struct EndpointFacts {
  std::string id;
  std::string branch;
  std::map<std::string, std::string> facts;
};

struct AssignmentView {
  std::map<std::string, std::vector<LayerRef>> by_endpoint;  // endpoint id -> stack
  std::map<std::string, std::vector<LayerRef>> by_group;     // group name -> stack
  std::map<std::string, std::vector<LayerRef>> by_branch;    // branch name -> stack
  std::map<std::string, std::vector<std::string>> groups_of; // endpoint id -> group names (sorted)
  std::map<std::string, std::string> parent_of;              // branch -> parent branch
  std::map<LayerRef, LayerInfo> layers;
};

struct SkippedLayer {
  LayerRef ref;
  std::string reason;
};

struct DesiredStack {
  std::string source;  // "endpoint", "group:NAME", "branch:NAME" or "none"
  std::vector<LayerInfo> layers;
  std::vector<SkippedLayer> skipped;
};

DesiredStack effective_stack(const EndpointFacts& e, const AssignmentView& v);

// What a reflector of `branch` should hold: the union of the effective
// stacks of `endpoints` (the branch's endpoints) and of the branch's own
// assignment (unfiltered by hardware), ordered by ref.
std::vector<LayerInfo> reflector_layers(const std::string& branch,
                                        const std::vector<EndpointFacts>& endpoints,
                                        const AssignmentView& v);

// What a reflector of `branch` is entitled to on the swarm and the layer
// API: reflector_layers of `branch` and, for a hub, of every branch below it
// (branches naming it as parent, and theirs, up to kMaxBranchDepth levels;
// a parent cycle is walked once). `endpoints_by_branch` holds every
// branch's endpoints. Ordered by ref.
std::vector<LayerInfo> reflector_entitlement(
    const std::string& branch, const std::map<std::string, std::vector<EndpointFacts>>& endpoints_by_branch,
    const AssignmentView& v);

}  // namespace bc::tracker
