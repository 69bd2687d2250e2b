// The pure parts of the emulate orchestrator: scaling a scenario, the stack a
// branch holds after each assignment, and what the node book makes of status
// reports (completion times, bytes by source across restarts, nodes.json).
#include <doctest/doctest.h>

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

TEST_CASE("scaling shrinks layer sizes and times and keeps rates, RTTs and file sizes that still fit") {
  Scenario s = load_default();
  auto r = scale_scenario(s, 1.0 / 16);
  REQUIRE(r.ok());
  CHECK(r->duration_ms == 1800'000 / 16);
  CHECK(r->layers[0].size_bytes == (256u << 20) / 16);
  CHECK(r->assignments[2].at_ms == s.assignments[2].at_ms / 16);
  CHECK(r->branches[0].wan.down_bytes_per_s == s.branches[0].wan.down_bytes_per_s);
  CHECK(r->branches[1].wan.rtt_ms == s.branches[1].wan.rtt_ms);
  CHECK(r->layers[0].file_mix[0].file_bytes == 4096);
  CHECK(r->layers[0].file_mix[2].file_bytes == (256u << 20) / 16);  // 16 MiB files capped at the 16 MiB layer
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
