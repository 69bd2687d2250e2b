#include <doctest/doctest.h>

#include "netsim/report/kumar_ross.hpp"
#include "netsim/scenario/scenario_parse.hpp"

namespace bc::netsim {
namespace {

SwarmCapacity swarm(double us, std::size_t n, double d, double u) {
  SwarmCapacity c;
  c.server_up_bytes_per_s = us;
  c.peer_down_bytes_per_s.assign(n, d);
  c.peer_up_bytes_per_s.assign(n, u);
  return c;
}

TEST_CASE("kumar-ross bound is F over server rate when peers are fast") {
  // F = 100 MB, u_s = 10 MB/s, 4 peers at 100 MB/s: max{10, 1, 400/410} = 10 s.
  CHECK(kumar_ross_lower_bound_s(100e6, swarm(10e6, 4, 100e6, 100e6)) == doctest::Approx(10.0));
}

TEST_CASE("kumar-ross bound is F over the slowest download when a peer is slow") {
  SwarmCapacity c = swarm(10e6, 3, 100e6, 100e6);
  c.peer_down_bytes_per_s[1] = 5e6;  // F/d_min = 100/5 = 20 s
  CHECK(kumar_ross_lower_bound_s(100e6, c) == doctest::Approx(20.0));
}

TEST_CASE("kumar-ross bound is N F over total upload when peers cannot upload") {
  // 10 peers, no upload: 10 * 100 MB / 10 MB/s = 100 s.
  CHECK(kumar_ross_lower_bound_s(100e6, swarm(10e6, 10, 100e6, 0)) == doctest::Approx(100.0));
  // 10 peers uploading 1 MB/s: 1000 / (10 + 10) = 50 s > F/u_s = 10 s.
  CHECK(kumar_ross_lower_bound_s(100e6, swarm(10e6, 10, 100e6, 1e6)) == doctest::Approx(50.0));
}

TEST_CASE("kumar-ross bound refuses a swarm without server or peers") {
  CHECK(kumar_ross_lower_bound_s(1e6, swarm(0, 2, 1e6, 1e6)) == -1);
  CHECK(kumar_ross_lower_bound_s(1e6, swarm(1e6, 0, 1e6, 1e6)) == -1);
  CHECK(kumar_ross_lower_bound_s(0, swarm(1e6, 2, 1e6, 1e6)) == 0);
}

TEST_CASE("content new to a branch counts v2 as its change ratio only after v1") {
  auto s = load_scenario(std::string(BC_NETSIM_SCENARIOS_DIR) + "/default.toml");
  REQUIRE(s.ok());
  // The default base is realistic (its bytes come from content.json); this
  // case is about the scenario's own numbers, so give it a random base.
  s->layers[0] = LayerDef{"base", 256ull << 20, {}, 0.05};
  const std::uint64_t base = 256ull << 20, app = 64ull << 20;
  const std::uint64_t delta = static_cast<std::uint64_t>(0.05 * static_cast<double>(base) + 0.5);
  CHECK(assignment_new_bytes(*s, 0, "a") == base);
  CHECK(assignment_new_bytes(*s, 1, "a") == app);
  CHECK(assignment_new_bytes(*s, 2, "a") == delta);
  CHECK(branch_new_content_bytes(*s, "c") == base + app + delta);
  // The branch's swarm: WAN down as server, reflector + endpoints as peers.
  SwarmCapacity c = branch_capacity(*s, s->branches[0]);
  CHECK(c.server_up_bytes_per_s == doctest::Approx(2.5e6));
  CHECK(c.peer_down_bytes_per_s.size() == 5);
}

TEST_CASE("v2 without an earlier v1 counts the whole layer") {
  Scenario s;
  s.layers.push_back({"base", 1000, {}, 0.1});
  s.assignments.push_back({0, "base", 2, {}});
  s.assignments.push_back({5, "base", 1, {"a"}});
  s.assignments.push_back({9, "base", 1, {"a"}});
  CHECK(assignment_new_bytes(s, 0, "a") == 1000);
  CHECK(assignment_new_bytes(s, 1, "a") == 100);  // v1 after v2: the changed share
  CHECK(assignment_new_bytes(s, 2, "a") == 0);    // repeat
  CHECK(assignment_new_bytes(s, 1, "b") == 0);    // not targeted
}

}  // namespace
}  // namespace bc::netsim
