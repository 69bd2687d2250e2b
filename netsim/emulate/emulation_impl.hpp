// The emulate orchestrator's class, shared by its two translation units:
// emulation.cpp (set-up, timeline, teardown) and emulation_output.cpp
// (progress lines and the run's output files). Internal to netsim/emulate.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "netsim/emulate/agent_nodes.hpp"
#include "netsim/emulate/cap_window.hpp"
#include "netsim/emulate/cross_flow.hpp"
#include "netsim/emulate/emulation.hpp"
#include "netsim/emulate/layer_writer.hpp"
#include "netsim/emulate/node_book.hpp"
#include "netsim/emulate/tracker_node.hpp"
#include "netsim/emulate/workload.hpp"
#include "netsim/scenario/timeline.hpp"
#include "netsim/topo/topology.hpp"
#include "netsim/wanem/emulator_thread.hpp"

namespace bc::netsim {

inline std::string mib(std::uint64_t b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(b) / (1 << 20));
  return buf;
}

class Emulation {
 public:
  Emulation(const Scenario& s, const EmulateOptions& o) : s_(s), o_(o) {}
  ~Emulation() { shutdown(); }

  Result<EmulateResult> run();

 private:
  void say(const std::string& line) const {
    if (o_.progress) o_.progress(line);
  }
  bool stopping() const { return o_.should_stop && o_.should_stop(); }
  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0_).count();
  }

  Status build_network();
  Status build_layers();
  Status configure_tracker(std::map<std::string, std::map<AgentRole, std::string>>& tokens);
  Status setup_agents();
  Status wait_reflectors_reported();
  Status run_timeline();
  Status act(const Action& a);
  void push_pending_assignments();
  Status start_cross(const std::string& branch, std::size_t index);
  Status start_cap_windows();
  std::vector<InteractiveData> interactive_series() const;
  void poll_status();
  void print_progress();
  bool all_done() const;
  Status write_outputs(EmulateResult& r);
  void shutdown();

  const Scenario& s_;
  const EmulateOptions& o_;
  std::unique_ptr<Topology> topo_;
  EmulatorThread emu_;
  std::unique_ptr<TrackerNode> tracker_;
  std::unique_ptr<AgentNodes> agents_;
  NodeBook book_;
  std::vector<BuiltLayer> layers_;
  std::map<std::string, std::vector<std::string>> stacks_;  // branch -> assigned stack
  std::map<std::string, bool> stack_pending_;                // branch -> PUT not yet accepted
  std::map<std::pair<std::string, std::size_t>, std::unique_ptr<CrossFlow>> cross_;  // (branch, flow index)
  std::map<std::string, CapWindowPlan> cap_windows_;  // branch -> the window written at the run's start
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  bool interrupted_ = false;  // a stop signal ended the timeline early
  std::chrono::steady_clock::time_point emu_started_ = std::chrono::steady_clock::now();
};

}  // namespace bc::netsim
