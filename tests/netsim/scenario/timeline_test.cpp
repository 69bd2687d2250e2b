#include <doctest/doctest.h>

#include "netsim/scenario/scenario_parse.hpp"
#include "netsim/scenario/timeline.hpp"

namespace bc::netsim {
namespace {

TEST_CASE("the faults scenario becomes one time-ordered action list") {
  auto s = load_scenario(std::string(BC_NETSIM_SCENARIOS_DIR) + "/faults.toml");
  REQUIRE(s.ok());
  std::vector<Action> t = scenario_timeline(*s);
  // 3 assignments x 2 branches, kill+restart, kill, stop+start, 2 x (cut+restore).
  REQUIRE(t.size() == 6 + 2 + 1 + 2 + 4);
  for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i - 1].at_ms <= t[i].at_ms);
  CHECK(t[0].kind == ActionKind::assign);
  CHECK(t[0].at_ms == 10'000);
  CHECK(t[0].branch == "a");
  // 4 assignments at 10 s, then kill a-r1 @60, tracker stop @120 / start @180,
  // cut b @200, restart a-r1 @240, restore b @260, base v2 @900 (2), kill b-r1 @950.
  CHECK(t[4].kind == ActionKind::kill_reflector);
  CHECK(t[4].node == "a-r1");
  CHECK(t[5].kind == ActionKind::stop_tracker);
  CHECK(t[6].kind == ActionKind::start_tracker);
  CHECK(t[7].kind == ActionKind::cut_wan);
  CHECK(t[7].branch == "b");
  CHECK(t[8].kind == ActionKind::restart_reflector);
  CHECK(t[10].kind == ActionKind::assign);
  CHECK(t[10].at_ms == 900'000);
  CHECK(t[12].node == "b-r1");
  CHECK(t.back().kind == ActionKind::restore_wan);
  CHECK(t.back().at_ms == 1'010'000);
}

TEST_CASE("at equal times fault ends come before fault starts and assignments come last") {
  Scenario s;
  s.branches.push_back({});
  s.branches[0].name = "a";
  s.assignments.push_back({100, "base", 1, {}});
  s.faults.push_back({FaultKind::cut_wan, 100, 200, "", "a"});
  s.faults.push_back({FaultKind::stop_tracker, 0, 100, "", ""});
  std::vector<Action> t = scenario_timeline(s);
  REQUIRE(t.size() == 5);
  CHECK(t[0].kind == ActionKind::stop_tracker);
  CHECK(t[1].kind == ActionKind::start_tracker);
  CHECK(t[2].kind == ActionKind::cut_wan);
  CHECK(t[3].kind == ActionKind::assign);
  CHECK(t[4].kind == ActionKind::restore_wan);
}

TEST_CASE("cross traffic flows start and stop on the timeline") {
  auto s = load_scenario(std::string(BC_NETSIM_SCENARIOS_DIR) + "/governor.toml");
  REQUIRE(s.ok());
  int starts = 0, stops = 0;
  for (const Action& a : scenario_timeline(*s)) {
    starts += a.kind == ActionKind::start_cross;
    stops += a.kind == ActionKind::stop_cross;
  }
  CHECK(starts == 5);
  CHECK(stops == 1);
}

}  // namespace
}  // namespace bc::netsim
