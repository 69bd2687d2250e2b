#include "netsim/scenario/timeline.hpp"

#include <algorithm>

namespace bc::netsim {

namespace {

int rank(ActionKind k) {
  switch (k) {
    case ActionKind::restart_reflector: case ActionKind::start_tracker: case ActionKind::restore_wan: return 0;
    case ActionKind::kill_reflector: case ActionKind::stop_tracker: case ActionKind::cut_wan: return 1;
    case ActionKind::stop_cross: case ActionKind::start_cross: return 2;
    case ActionKind::assign: return 3;
  }
  return 4;
}

void add_fault(const FaultDef& f, std::vector<Action>& out) {
  switch (f.kind) {
    case FaultKind::kill_reflector:
      out.push_back({f.at_ms, ActionKind::kill_reflector, "", f.node, 0});
      if (f.until_ms >= 0) out.push_back({f.until_ms, ActionKind::restart_reflector, "", f.node, 0});
      return;
    case FaultKind::stop_tracker:
      out.push_back({f.at_ms, ActionKind::stop_tracker, "", "", 0});
      out.push_back({f.until_ms, ActionKind::start_tracker, "", "", 0});
      return;
    case FaultKind::cut_wan:
      out.push_back({f.at_ms, ActionKind::cut_wan, f.branch, "", 0});
      out.push_back({f.until_ms, ActionKind::restore_wan, f.branch, "", 0});
      return;
  }
}

}  // namespace

const char* to_string(ActionKind k) {
  switch (k) {
    case ActionKind::assign: return "assign";
    case ActionKind::kill_reflector: return "kill_reflector";
    case ActionKind::restart_reflector: return "restart_reflector";
    case ActionKind::stop_tracker: return "stop_tracker";
    case ActionKind::start_tracker: return "start_tracker";
    case ActionKind::cut_wan: return "cut_wan";
    case ActionKind::restore_wan: return "restore_wan";
    case ActionKind::start_cross: return "start_cross";
    case ActionKind::stop_cross: return "stop_cross";
  }
  return "?";
}

std::vector<Action> scenario_timeline(const Scenario& s) {
  std::vector<Action> out;
  for (std::size_t i = 0; i < s.assignments.size(); ++i) {
    const AssignmentDef& a = s.assignments[i];
    for (const BranchDef& b : s.branches) {
      bool targeted = a.branches.empty() || std::find(a.branches.begin(), a.branches.end(), b.name) != a.branches.end();
      if (targeted) out.push_back({a.at_ms, ActionKind::assign, b.name, "", i});
    }
  }
  for (const FaultDef& f : s.faults) add_fault(f, out);
  for (const BranchDef& b : s.branches) {
    for (std::size_t i = 0; i < b.cross_traffic.size(); ++i) {
      const CrossFlowDef& c = b.cross_traffic[i];
      out.push_back({c.start_ms, ActionKind::start_cross, b.name, "", i});
      if (c.stop_ms >= 0) out.push_back({c.stop_ms, ActionKind::stop_cross, b.name, "", i});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Action& x, const Action& y) {
    if (x.at_ms != y.at_ms) return x.at_ms < y.at_ms;
    return rank(x.kind) < rank(y.kind);
  });
  return out;
}

}  // namespace bc::netsim
