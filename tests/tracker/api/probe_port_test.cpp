// bc-tracker hosts the UDP RTT echo responder when [server] probe_port is set.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "layers/rtt_probe/probe_codec.hpp"
#include "tests/support/net.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tracker/app/tracker_app.hpp"

using namespace bc;
using namespace bc::tracker;

using test::free_udp_port;

TEST_CASE("probe_port makes bc-tracker answer RTT probes on UDP and 0 leaves it off") {
  test::TmpDir tmp;
  REQUIRE(SecretKey::generate().save(tmp / "tracker.key").ok());
  uint16_t probe = free_udp_port();
  auto config = parse_config("[server]\nlisten = \"127.0.0.1\"\nport = 0\nprobe_port = " + std::to_string(probe) +
                                 "\n[storage]\ndata_dir = \"data\"\n[auth]\nsigning_key = \"tracker.key\"\n",
                             tmp.path());
  REQUIRE_MESSAGE(config.ok(), config.status().to_string());
  CHECK(config->probe_port == probe);
  SystemClock clock;
  auto app = TrackerApp::create(*config, clock);
  REQUIRE(app.ok());
  REQUIRE((*app)->start().ok());
  CHECK((*app)->probe_port() == probe);

  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(probe);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  uint8_t buf[256];
  rtt_probe::ProbePacket p;
  p.sequence = 42;
  p.sent_us = 7;
  auto n = rtt_probe::encode_probe(p, buf);
  REQUIRE(n.ok());
  REQUIRE(::sendto(fd, buf, *n, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) == ssize_t(*n));
  pollfd pfd{fd, POLLIN, 0};
  REQUIRE(::poll(&pfd, 1, 5000) == 1);
  ssize_t got = ::recv(fd, buf, sizeof buf, 0);
  ::close(fd);
  REQUIRE(got > 0);
  auto reply = rtt_probe::decode_probe(std::span<const uint8_t>(buf, size_t(got)));
  REQUIRE(reply.ok());
  CHECK(reply->reply);
  CHECK(reply->sequence == 42);
  (*app)->stop();

  auto off = parse_config("[storage]\ndata_dir = \"data2\"\n[auth]\nsigning_key = \"tracker.key\"\n", tmp.path());
  REQUIRE(off.ok());
  CHECK(off->probe_port == 0);
}
