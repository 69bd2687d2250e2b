// The scenario as one time-ordered list of actions, for the emulate
// orchestrator and the discrete-event simulator alike. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "netsim/scenario/scenario.hpp"

namespace bc::netsim {

enum class ActionKind {
  assign,            // index = assignment index; branch = one target branch
  kill_reflector,    // node
  restart_reflector, // node
  stop_tracker,
  start_tracker,
  cut_wan,           // branch
  restore_wan,       // branch
  start_cross,       // branch, index = cross flow index in the branch
  stop_cross,        // branch, index
};

struct Action {
  std::int64_t at_ms = 0;
  ActionKind kind = ActionKind::assign;
  std::string branch;
  std::string node;
  std::size_t index = 0;
};

const char* to_string(ActionKind k);

// Every action of a validated scenario, sorted by time; at equal times, in a
// fixed order: ends of faults first, then starts, then cross traffic, then
// assignments (so an assignment at t sees the network as it is at t). Stable.
std::vector<Action> scenario_timeline(const Scenario& s);

}  // namespace bc::netsim
