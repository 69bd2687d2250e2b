// The content side of a scenario: which layer versions exist (every layer at
// version 1, version 2 where a change ratio is set), their kinds, and what
// each branch's assignment stack is after an assignment. Pure.
#pragma once

#include <string>
#include <vector>

#include "layers/model/manifest.hpp"
#include "netsim/scenario/scenario.hpp"

namespace bc::netsim {

struct LayerVersion {
  std::size_t layer_index = 0;
  int version = 1;
  LayerKind kind = LayerKind::base;
};

// Every version to build, in scenario order (v1 before v2). The first layer of
// the scenario is the base; the others are app layers stacked on it.
std::vector<LayerVersion> layer_versions(const Scenario& s);
std::string ref_of(const Scenario& s, const LayerVersion& v);

// The branch's stack after `a`: the layer's entry is replaced (another
// version) or added; entries stay in scenario layer order, so the base is
// first. `stack` holds "name@version" refs.
std::vector<std::string> stack_after(const Scenario& s, std::vector<std::string> stack, const AssignmentDef& a);

}  // namespace bc::netsim
