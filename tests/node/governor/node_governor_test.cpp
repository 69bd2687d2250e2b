// NodeGovernor on a real SwarmNode: without a probe responder the policy runs
// as caps only (no throttling to the floor for lack of RTT samples), before
// the first desired state nothing is limited, and the switch turns it off.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <thread>

#include "layers/rtt_probe/echo_responder.hpp"
#include "node/governor/node_governor.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/net.hpp"
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
  CHECK(gov.applied()->first == governor::kNoLimit);  // no desired state yet: unlimited, not the start rate

  governor::WanPolicy p;  // latency aware, as the tracker would send it
  p.default_caps.download = governor::RateCap::absolute(300'000);
  REQUIRE(gov.configure("127.0.0.1", 0, p, 1.0).ok());
  CHECK_FALSE(gov.probing());
  for (int i = 0; i < 100; ++i) {  // 20 s of ticks with no RTT samples: no decay toward the floor
    clock.advance_ms(200);
    (void)gov.poll();
  }
  CHECK(gov.applied()->first == 300'000);
  CHECK(gov.applied()->second == governor::kNoLimit);

  NodeGovernorOptions off = o;
  off.enabled = false;
  NodeGovernor disabled(*node, clock, off);
  REQUIRE(disabled.configure("127.0.0.1", 9, p, 1.0).ok());
  CHECK_FALSE(disabled.probing());
  CHECK_FALSE(disabled.poll().has_value());
  CHECK_FALSE(disabled.applied().has_value());
}

TEST_CASE("latency control starts only once the responder answers; an unreachable one leaves the WAN unthrottled") {
  test::TmpDir tmp;
  auto node = test::start_node(tmp / "n", "127.0.0.6");
  SystemClock clock;
  NodeGovernorOptions o;
  o.listen_interfaces = "127.0.0.6:0";
  const governor::WanPolicy p;  // latency aware, no caps: caps only = unlimited
  auto poll_for = [&](NodeGovernor& g, int ms, auto done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!done() && std::chrono::steady_clock::now() < end) {
      (void)g.poll();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the driver's loop cadence
    }
  };

  // Nobody listens on this port: probes go unanswered.
  NodeGovernor silent(*node, clock, o);
  REQUIRE(silent.configure("127.0.0.1", test::free_udp_port(), p, 1.0).ok());
  CHECK(silent.probing());
  poll_for(silent, 1'500, [] { return false; });
  CHECK(silent.applied()->first == governor::kNoLimit);  // not latency control's 64 KiB/s start rate, then the floor

  boost::asio::io_context io;
  auto responder = rtt_probe::EchoResponder::start(io, clock, {});
  REQUIRE(responder.ok());
  std::thread t([&] { io.run(); });
  NodeGovernor live(*node, clock, o);
  REQUIRE(live.configure("127.0.0.1", (*responder)->local_endpoint().port(), p, 1.0).ok());
  poll_for(live, 5'000, [&] { return live.applied() && live.applied()->first != governor::kNoLimit; });
  CHECK(live.applied()->first <= 128 * 1024);  // latency control took over, from its start rate
  (*responder)->stop();
  io.stop();
  t.join();
}
