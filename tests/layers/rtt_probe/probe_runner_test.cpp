// ProbeRunner (the prober on its own io thread, as nodes run it) yields RTT
// samples from a real responder on loopback, bound to the address asked for.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <thread>

#include "layers/rtt_probe/echo_responder.hpp"
#include "layers/rtt_probe/probe_runner.hpp"
#include "tests/support/poll.hpp"

using namespace bc;
using namespace bc::rtt_probe;

TEST_CASE("ProbeRunner drains RTT samples from a loopback responder, probing from the bound address") {
  SystemClock clock;
  boost::asio::io_context io;
  EchoResponderOptions ro;
  auto responder = EchoResponder::start(io, clock, ro);
  REQUIRE_MESSAGE(responder.ok(), responder.status().to_string());
  std::thread responder_thread([&] { io.run(); });

  RttProberOptions po;
  po.target = "127.0.0.1:" + std::to_string((*responder)->local_endpoint().port());
  po.bind_address = "127.0.0.7";
  auto runner = ProbeRunner::start(clock, po);
  REQUIRE_MESSAGE(runner.ok(), runner.status().to_string());
  CHECK((*runner)->local_endpoint().address().to_string() == "127.0.0.7");
  size_t samples = 0;
  CHECK(test::eventually(  // one probe per 100 ms
      [&] {
        for (double rtt : (*runner)->drain().rtt_ms) {
          CHECK(rtt >= 0);
          CHECK(rtt < 1000);
          ++samples;
        }
        return samples >= 5;
      },
      5'000, 50));
  runner->reset();  // stops and joins its thread
  (*responder)->stop();
  io.stop();
  responder_thread.join();
}
