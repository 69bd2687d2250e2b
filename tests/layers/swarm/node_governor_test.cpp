// NodeGovernor on a real SwarmNode: without a probe responder the policy runs
// as caps only (no throttling to the floor for lack of RTT samples), before
// the first desired state nothing is limited, and the switch turns it off.
#include <doctest/doctest.h>

#include "layers/swarm/node_governor.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;

TEST_CASE("without a probe port the branch policy is applied as caps only; disabled, nothing is touched") {
  test::TmpDir tmp;
  auto node = test::start_node(tmp / "n", "127.0.0.5");
  ManualClock clock(0, 1'700'000'000);
  NodeGovernorOptions o;
  o.listen_interfaces = "127.0.0.5:0";
  NodeGovernor gov(*node, clock, o);
  (void)gov.poll();
  REQUIRE(gov.applied());
  CHECK(gov.applied()->first == qos::kNoLimit);  // no desired state yet: unlimited, not the start rate

  qos::WanPolicy p;  // latency aware, as the tracker would send it
  p.default_caps.download = qos::RateCap::absolute(300'000);
  REQUIRE(gov.configure("127.0.0.1", 0, p, 1.0).ok());
  CHECK_FALSE(gov.probing());
  for (int i = 0; i < 100; ++i) {  // 20 s of ticks with no RTT samples: no decay toward the floor
    clock.advance_ms(200);
    (void)gov.poll();
  }
  CHECK(gov.applied()->first == 300'000);
  CHECK(gov.applied()->second == qos::kNoLimit);

  NodeGovernorOptions off = o;
  off.enabled = false;
  NodeGovernor disabled(*node, clock, off);
  REQUIRE(disabled.configure("127.0.0.1", 9, p, 1.0).ok());
  CHECK_FALSE(disabled.probing());
  CHECK_FALSE(disabled.poll().has_value());
  CHECK_FALSE(disabled.applied().has_value());
}
