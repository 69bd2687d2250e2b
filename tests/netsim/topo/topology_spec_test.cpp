#include "netsim/topo/topology_spec.hpp"

#include <doctest/doctest.h>

#include "netsim/topo/netns.hpp"

namespace bc::netsim {
namespace {

TopologySpec good() {
  TopologySpec s;
  s.run_id = "t1";
  s.datacenter_nodes = {{"tracker", 0}};
  BranchSpec b;
  b.name = "b1";
  b.nodes = {{"refl", 0}, {"ep-1", 12'500'000}};
  s.branches.push_back(b);
  return s;
}

TEST_CASE("topology specs with bad names or duplicates or bad links are refused with the reason") {
  CHECK(good().validate().ok());
  TopologySpec s = good();
  s.run_id = "Bad!";
  CHECK(s.validate().message().find("run id") != std::string::npos);
  s = good();
  s.branches[0].nodes.push_back({"tracker", 0});
  CHECK(s.validate().message().find("not unique") != std::string::npos);
  s = good();
  s.branches[0].nodes[0].name = "rt-x";
  CHECK(!s.validate().ok());
  s = good();
  s.branches[0].name = "dc";
  CHECK(!s.validate().ok());
  s = good();
  s.branches.push_back(s.branches[0]);
  s.branches[1].nodes.clear();
  CHECK(s.validate().message().find("twice") != std::string::npos);
  s = good();
  s.branches[0].up.loss_probability = 2;
  CHECK(s.validate().message().find("uplink") != std::string::npos);
}

TEST_CASE("namespace names carry the run id that cleanup reads back") {
  CHECK(netns_name("r7", "rt-dc") == "bcns-r7-rt-dc");
  CHECK(run_id_of("bcns-r7-rt-dc") == "r7");
  CHECK(run_id_of("other-r7-x") == "");
  CHECK(run_id_of("bcns-") == "");
}

}  // namespace
}  // namespace bc::netsim
