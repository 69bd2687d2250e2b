// bc-netsim simulate's core: a seed reproduces a run bit for bit, content is
// conserved and no link carries more than its capacity, and a run with a
// closed-form answer (one reflector behind one link) gets it.
#include <doctest/doctest.h>

#include <string>

#include "netsim/sim/fleet.hpp"
#include "netsim/sim/sim_report.hpp"
#include "netsim/sim/simulator.hpp"

namespace bc::netsim::sim {
namespace {

// A small fleet: 6 branches drawn from two profiles, half without a
// reflector, a 64 MiB layer and its 10% v2.
const char* kFleet = R"(
name = "small"
seed = 3
duration_s = 3600
[datacenter]
uplink_mbit = 1000
[fleet]
branches = 6
endpoints = [3, 9]
no_reflector_share = 0.5
link_profiles = [ { down_mbit = 20, up_mbit = 20, rtt_ms = 40 }, { down_mbit = 50, up_mbit = 10, rtt_ms = 20, loss = 0.001 } ]
[[layers]]
name = "base"
size_mib = 64
v2_change_ratio = 0.1
[[assignments]]
at_s = 1
layer = "base"
version = 1
[[assignments]]
at_s = 300
layer = "base"
version = 2
)";

Scenario fleet(std::uint64_t seed) {
  SimLoadOptions lo;
  lo.seed = seed;
  auto s = parse_sim_scenario(kFleet, lo);
  REQUIRE_MESSAGE(s.ok(), s.status().to_string());
  return *s;
}

std::string run_json(std::uint64_t seed) {
  Scenario s = fleet(seed);
  SimOptions o;
  o.seed = seed;
  auto r = simulate(s, o);
  REQUIRE(r.ok());
  return sim_report_json(s, *r).dump();
}

TEST_CASE("simulate: the same seed gives the same bytes and another seed another fleet and result") {
  const std::string a = run_json(7), b = run_json(7);
  CHECK(a == b);
  Scenario f7 = fleet(7), f8 = fleet(8);
  bool fleet_differs = false;
  for (std::size_t i = 0; i < f7.branches.size(); ++i)
    fleet_differs |= f7.branches[i].endpoints != f8.branches[i].endpoints ||
                     f7.branches[i].reflectors != f8.branches[i].reflectors ||
                     f7.branches[i].wan.down_bytes_per_s != f8.branches[i].wan.down_bytes_per_s;
  CHECK(fleet_differs);
  CHECK(run_json(8) != a);
}

TEST_CASE("simulate: every endpoint completes, reflector branches move at least their new content, no link overfull") {
  Scenario s = fleet(5);
  SimOptions o;
  o.seed = 5;
  auto r = simulate(s, o);
  REQUIRE(r.ok());
  nlohmann::json j = sim_report_json(s, *r);
  CHECK_MESSAGE(r->violations.empty(), j["violations"].dump());
  CHECK(r->all_complete);
  std::size_t with_reflector = 0, without = 0;
  for (std::size_t b = 0; b < r->branches.size(); ++b) {
    const BranchOutcome& out = r->branches[b];
    for (std::size_t a = 0; a < s.assignments.size(); ++a)
      for (std::int64_t t : out.completion_ms[a]) CHECK(t >= 0);
    const auto fresh = j["branches"][b]["new_content_bytes"].get<std::uint64_t>();
    CHECK(fresh == (64ull << 20) + std::uint64_t(0.1 * double(64ull << 20)));
    if (out.reflectors > 0) {
      ++with_reflector;
      CHECK(out.wan_down_bytes >= fresh);
    } else {
      ++without;
    }
  }
  CHECK(with_reflector > 0);
  CHECK(without > 0);
  CHECK(r->link_use.max_wan_ratio <= 1 + 1e-9);
  CHECK(r->link_use.max_uplink_ratio <= 1 + 1e-9);
  CHECK(r->link_use.max_wan_ratio > 0.9);  // and the links were used
  std::uint64_t wan = 0;
  for (const BranchOutcome& out : r->branches) wan += out.wan_down_bytes;
  CHECK(r->origin_upload_bytes == wan);
}

// One branch, one reflector, two endpoints; the link at `mbit` with `governor`.
Scenario one_link(double mbit, const char* governor) {
  std::string text = R"(
name = "one"
duration_s = 600
[[branches]]
name = "a"
reflectors = 1
endpoints = 2
governor = ")" + std::string(governor) + R"("
[branches.wan]
down_mbit = )" + std::to_string(mbit) + R"(
up_mbit = 10
rtt_ms = 40
[[layers]]
name = "base"
size_mib = 64
[[assignments]]
at_s = 0
layer = "base"
)";
  auto s = parse_sim_scenario(text, SimLoadOptions{});
  REQUIRE_MESSAGE(s.ok(), s.status().to_string());
  return *s;
}

TEST_CASE("simulate: one reflector behind a link of rate R completes in size / R (within 3%)") {
  Scenario s = one_link(20, "ledbat");  // no governor: the link alone sets the pace
  auto r = simulate(s, SimOptions{});
  REQUIRE(r.ok());
  const double ideal_s = double(64ull << 20) / (20 * 125'000.0);  // 26.8 s
  for (std::int64_t t : r->branches[0].completion_ms[0]) {
    CHECK(double(t) / 1000 >= ideal_s);
    CHECK(double(t) / 1000 <= ideal_s * 1.03);
  }
  CHECK(r->branches[0].wan_down_bytes == (64ull << 20));
}

TEST_CASE("simulate: with the governor on, the reflector's WAN rate follows it and the link still fills") {
  Scenario s = one_link(20, "on");
  auto r = simulate(s, SimOptions{});
  REQUIRE(r.ok());
  const double ideal_s = double(64ull << 20) / (20 * 125'000.0);
  CHECK(r->branches[0].governor_ticks > 0);
  const double t = double(r->branches[0].completion_ms[0][0]) / 1000;
  CHECK(t > ideal_s);        // slow start from 64 KiB/s costs something
  CHECK(t < ideal_s * 1.5);  // but the governor opens up on an empty queue
  MESSAGE("governed completion " << t << " s, ideal " << ideal_s << " s");
}

TEST_CASE("simulate: a bad fleet table is refused with the field named") {
  std::string text = kFleet;
  text.replace(text.find("endpoints = [3, 9]"), 18, "endpoints = [9, 3]");
  auto s = parse_sim_scenario(text, SimLoadOptions{});
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().to_string().find("fleet.endpoints") != std::string::npos);
}

TEST_CASE("simulate: a layer without a size (realistic content) is refused naming the layer") {
  Scenario s = one_link(20, "on");
  s.layers[0].size_bytes = 0;
  auto r = simulate(s, SimOptions{});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().to_string().find("layers[0] (\"base\"): no size") != std::string::npos);
}

}  // namespace
}  // namespace bc::netsim::sim
