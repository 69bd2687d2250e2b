#include "tracker/service/desired_state.hpp"

#include <set>

namespace bc::tracker {

namespace {
const std::vector<LayerRef>* branch_stack(const std::string& branch, const AssignmentView& v,
                                          std::string* found) {
  std::string b = branch;
  for (int depth = 0; depth < kMaxBranchDepth && !b.empty(); ++depth) {
    auto it = v.by_branch.find(b);
    if (it != v.by_branch.end()) {
      *found = b;
      return &it->second;
    }
    auto p = v.parent_of.find(b);
    if (p == v.parent_of.end()) break;
    b = p->second;
  }
  return nullptr;
}

void filter(const std::vector<LayerRef>& stack, const std::map<std::string, std::string>* facts,
            const AssignmentView& v, DesiredStack* out) {
  for (const auto& ref : stack) {
    auto it = v.layers.find(ref);
    if (it == v.layers.end()) {
      out->skipped.push_back({ref, "unknown layer"});
      continue;
    }
    const LayerInfo& l = it->second;
    if (l.retired) {
      out->skipped.push_back({ref, "layer is retired"});
      continue;
    }
    if (facts && l.kind == LayerKind::driver) {
      Manifest probe;
      probe.kind = LayerKind::driver;
      probe.match = l.match;
      if (!driver_matches(probe, *facts)) {
        out->skipped.push_back({ref, "driver match rules do not match this endpoint's hardware"});
        continue;
      }
    }
    out->layers.push_back(l);
  }
}
}  // namespace

DesiredStack effective_stack(const EndpointFacts& e, const AssignmentView& v) {
  DesiredStack out;
  const std::vector<LayerRef>* stack = nullptr;
  if (auto it = v.by_endpoint.find(e.id); it != v.by_endpoint.end()) {
    stack = &it->second;
    out.source = "endpoint";
  }
  if (!stack) {
    if (auto g = v.groups_of.find(e.id); g != v.groups_of.end()) {
      for (const auto& name : g->second) {
        if (auto it = v.by_group.find(name); it != v.by_group.end()) {
          stack = &it->second;
          out.source = "group:" + name;
          break;
        }
      }
    }
  }
  if (!stack) {
    std::string found;
    stack = branch_stack(e.branch, v, &found);
    if (stack) out.source = "branch:" + found;
  }
  if (!stack) {
    out.source = "none";
    return out;
  }
  filter(*stack, &e.facts, v, &out);
  return out;
}

std::vector<LayerInfo> reflector_layers(const std::string& branch,
                                        const std::vector<EndpointFacts>& endpoints,
                                        const AssignmentView& v) {
  std::map<LayerRef, LayerInfo> all;
  for (const auto& e : endpoints)
    for (auto& l : effective_stack(e, v).layers) all.emplace(l.ref, l);
  std::string found;
  if (const auto* stack = branch_stack(branch, v, &found)) {
    DesiredStack d;
    filter(*stack, nullptr, v, &d);
    for (auto& l : d.layers) all.emplace(l.ref, l);
  }
  std::vector<LayerInfo> out;
  for (auto& [ref, l] : all) out.push_back(l);
  return out;
}

std::vector<LayerInfo> reflector_entitlement(
    const std::string& branch, const std::map<std::string, std::vector<EndpointFacts>>& endpoints_by_branch,
    const AssignmentView& v) {
  static const std::vector<EndpointFacts> kNone;
  std::set<std::string> seen = {branch};
  std::vector<std::string> level = {branch};
  std::map<LayerRef, LayerInfo> all;
  for (int depth = 0; depth <= kMaxBranchDepth && !level.empty(); ++depth) {
    std::vector<std::string> next;
    for (const std::string& b : level) {
      auto e = endpoints_by_branch.find(b);
      for (auto& l : reflector_layers(b, e == endpoints_by_branch.end() ? kNone : e->second, v)) all.emplace(l.ref, l);
      for (const auto& [child, parent] : v.parent_of)
        if (parent == b && seen.insert(child).second) next.push_back(child);
    }
    level = std::move(next);
  }
  std::vector<LayerInfo> out;
  for (auto& [ref, l] : all) out.push_back(std::move(l));
  return out;
}

}  // namespace bc::tracker
