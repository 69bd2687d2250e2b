// The pure parts of the emulate orchestrator: scaling a scenario, the stack a
// branch holds after each assignment, and what the node book makes of status
// reports (completion times, bytes by source across restarts, nodes.json).
#include <doctest/doctest.h>

#include "netsim/emulate/cap_window.hpp"
#include "netsim/emulate/node_book.hpp"
#include "netsim/emulate/scale.hpp"
#include "netsim/emulate/workload.hpp"
#include "netsim/scenario/scenario_parse.hpp"

namespace bc::netsim {
namespace {

Scenario load_default() {
  auto s = load_scenario(std::string(BC_NETSIM_SCENARIOS_DIR) + "/default.toml");
  REQUIRE(s.ok());
  return *s;
}

TEST_CASE("a cap window starts at the first whole UTC minute after after_ms, first in the policy, on the run clock") {
  auto s = load_scenario(std::string(BC_NETSIM_SCENARIOS_DIR) + "/governor-caps.toml");
  REQUIRE(s.ok());
  const BranchDef& b = s->branches[0];
  REQUIRE(b.cap_window.has_value());
  // Monday 2023-11-13 07:59:50.250 UTC; the run clock reads 4,000 ms then.
  const std::int64_t unix_ms = 1'699'862'390'250;
  auto p = plan_cap_window(b, unix_ms, 4'000);
  REQUIRE(p.ok());
  // after 25 s of run = 21 s from now = 08:00:11.25 -> the boundary is 08:01:00.
  CHECK(p->boundary_unix_s == 1'699'862'460);
  CHECK(p->at_ms == 4'000 + (1'699'862'460'000 - unix_ms));
  CHECK(p->end_at_ms == p->at_ms + 60'000);
  REQUIRE(p->policy.windows.size() == 1);
  CHECK(p->policy.windows[0].start_min == 8 * 60 + 1);
  CHECK(p->policy.windows[0].end_min == 8 * 60 + 2);
  CHECK(p->cap_before_bytes_per_s == 750'000);
  CHECK(p->cap_after_bytes_per_s == 375'000);
  // The window holds from the boundary, not a second before, and ends after a minute.
  CHECK(governor::effective_caps(p->policy, p->boundary_unix_s - 1, {}).down_cap_bytes_per_s == 750'000);
  CHECK(governor::effective_caps(p->policy, p->boundary_unix_s + 59, {}).down_cap_bytes_per_s == 375'000);
  CHECK(governor::effective_caps(p->policy, p->boundary_unix_s + 60, {}).down_cap_bytes_per_s == 750'000);
  // A boundary at 23:59 ends at 24:00, not at an empty 00:00.
  auto late = plan_cap_window(b, 1'699'919'940'000 - 25'000, 0);  // 2023-11-13 23:59:00 is the boundary
  REQUIRE(late.ok());
  CHECK(late->policy.windows[0].start_min == 23 * 60 + 59);
  CHECK(late->policy.windows[0].end_min == 1440);
}

TEST_CASE("scaling shrinks layer sizes and times and keeps rates, RTTs and file sizes that still fit") {
  Scenario s = load_default();
  auto r = scale_scenario(s, 1.0 / 16);
  REQUIRE(r.ok());
  CHECK(r->duration_ms == 3400'000 / 16);
  CHECK(r->assignments[2].at_ms == s.assignments[2].at_ms / 16);
  CHECK(r->branches[0].wan.down_bytes_per_s == s.branches[0].wan.down_bytes_per_s);
  CHECK(r->branches[1].wan.rtt_ms == s.branches[1].wan.rtt_ms);
  // The realistic base keeps 1/16 of its root's files; its size stays the root's (0 here).
  REQUIRE(r->layers[0].content == LayerContent::realistic);
  CHECK(r->layers[0].subset_fraction == doctest::Approx(1.0 / 16));
  CHECK(r->layers[0].size_bytes == 0);
  // The random app layer shrinks; its 64 KiB files stay, 8 MiB files are capped at the 4 MiB layer.
  CHECK(r->layers[1].size_bytes == (64u << 20) / 16);
  CHECK(r->layers[1].file_mix[0].file_bytes == 64 * 1024);
  CHECK(r->layers[1].file_mix[1].file_bytes == (64u << 20) / 16);
  CHECK_FALSE(scale_scenario(s, 2.0).ok());
  CHECK_FALSE(scale_scenario(s, 0).ok());
}

TEST_CASE("a branch's stack replaces a layer's version in place and keeps the base first") {
  Scenario s = load_default();
  std::vector<std::string> st;
  st = stack_after(s, st, s.assignments[1]);  // app@1
  st = stack_after(s, st, s.assignments[0]);  // base@1
  CHECK(st == std::vector<std::string>{"base@1", "app@1"});
  st = stack_after(s, st, s.assignments[2]);  // base@2
  CHECK(st == std::vector<std::string>{"base@2", "app@1"});
  auto versions = layer_versions(s);
  REQUIRE(versions.size() == 3);
  CHECK(ref_of(s, versions[1]) == "base@2");
  CHECK(versions[2].kind == LayerKind::app);
}

TEST_CASE("the node book records the first time a layer is complete and keeps bytes across a restart") {
  NodeBook book;
  book.add_node("a-e1", "a", true);
  book.add_node("a-r1", "a", false);
  using nlohmann::json;
  book.observe("a-e1", json{{"layers", {{{"ref", "base@1"}, {"state", "downloading"}}}},
                            {"bytes_by_source", {{"origin", 100}, {"reflector", 5}, {"peer", 0}}}}, 1000);
  CHECK_FALSE(book.branch_done("a", {"base@1"}));
  book.observe("a-e1", json{{"layers", {{{"ref", "base@1"}, {"state", "complete"}}}},
                            {"bytes_by_source", {{"origin", 200}, {"reflector", 50}, {"peer", 7}}}}, 2000);
  book.observe("a-e1", json{{"applied", {"base@1"}}, {"bytes_by_source", {{"origin", 10}}}}, 3000);  // restarted
  CHECK(book.branch_done("a", {"base@1"}));  // the reflector is not an endpoint
  CHECK_FALSE(book.branch_done("a", {"base@1", "app@1"}));
  book.observe("nobody", json{{"applied", {"x@1"}}}, 1);  // ignored
  json nodes = book.nodes_json({{"a", 1, {40.0, 41.5}}});
  REQUIRE(nodes["nodes"].size() == 2);
  const json& e1 = nodes["nodes"][0];
  CHECK(e1["name"] == "a-e1");
  CHECK(e1["bytes_by_source"]["wan"] == 210);
  CHECK(e1["bytes_by_source"]["lan"] == 57);
  CHECK(e1["completions"][0] == json{{"layer", "base"}, {"version", 1}, {"done_ms", 2000}});
  CHECK(nodes["interactive"][0]["latency_ms"][1] == 41.5);
}

}  // namespace
}  // namespace bc::netsim
