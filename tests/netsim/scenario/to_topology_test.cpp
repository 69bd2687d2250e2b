#include <doctest/doctest.h>

#include "netsim/scenario/scenario_parse.hpp"
#include "netsim/scenario/to_topology.hpp"

namespace bc::netsim {
namespace {

TEST_CASE("the default scenario maps to a topology spec with the WAN shape of each branch") {
  auto s = load_scenario(std::string(BC_NETSIM_SCENARIOS_DIR) + "/default.toml");
  REQUIRE(s.ok());
  auto t = scenario_to_topology(*s, "run1");
  REQUIRE_MESSAGE(t.ok(), t.status().to_string());
  CHECK(t->run_id == "run1");
  REQUIRE(t->datacenter_nodes.size() == 1);
  CHECK(t->datacenter_nodes[0].name == "tracker");
  CHECK(t->datacenter_nodes[0].lan_rate_bytes_per_s == 125'000'000);
  REQUIRE(t->branches.size() == 3);
  const BranchSpec& b = t->branches[1];
  CHECK(b.name == "b");
  CHECK(b.down.rate_bytes_per_s == 1'250'000);
  CHECK(b.down.delay_us == 60'000);  // half of 120 ms
  CHECK(b.up.delay_us == 60'000);
  CHECK(b.down.queue_limit_bytes == 62'500);  // 50 ms at 10 Mbit/s
  CHECK(b.down.loss_probability == doctest::Approx(0.005));
  CHECK(b.up.seed != b.down.seed);
  REQUIRE(b.nodes.size() == 5);
  CHECK(b.nodes[0].name == "b-r1");
  CHECK(b.nodes[4].name == "b-e4");
  CHECK(t->branches[2].nodes.size() == 4);  // no reflector
}

TEST_CASE("cross traffic adds one node per branch and one in the datacenter") {
  auto s = load_scenario(std::string(BC_NETSIM_SCENARIOS_DIR) + "/governor.toml");
  REQUIRE(s.ok());
  auto t = scenario_to_topology(*s, "gov");
  REQUIRE(t.ok());
  REQUIRE(t->datacenter_nodes.size() == 2);
  CHECK(t->datacenter_nodes[1].name == "xt-dc");
  CHECK(t->branches[0].nodes.back().name == "slow-xt");
  CHECK(t->branches[0].down.queue_limit_bytes == 250'000);  // 200 ms at 10 Mbit/s
}

TEST_CASE("a bad run id is refused by the topology spec") {
  auto s = load_scenario(std::string(BC_NETSIM_SCENARIOS_DIR) + "/default.toml");
  REQUIRE(s.ok());
  CHECK_FALSE(scenario_to_topology(*s, "Bad_Id").ok());
}

}  // namespace
}  // namespace bc::netsim
