// EchoResponder and RttProber over real UDP sockets on 127.0.0.0/8, driven
// by bounded polls of one io_context on the test thread.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <thread>
#include <boost/asio/executor_work_guard.hpp>
#include <vector>

#include "layers/rtt_probe/echo_responder.hpp"
#include "layers/rtt_probe/probe_codec.hpp"
#include "layers/rtt_probe/rtt_prober.hpp"
#include "layers/rtt_probe/tcp_diag.hpp"
#include "layers/rtt_probe/tcp_rtt.hpp"

using namespace bc::rtt_probe;
namespace asio = boost::asio;
using asio::ip::udp;

namespace {

// Runs handlers until `done` holds or `limit_ms` pass; returns done().
bool run_until(asio::io_context& io, const std::function<bool()>& done, int limit_ms = 5000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limit_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.run_one_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::unique_ptr<EchoResponder> start_responder(asio::io_context& io, const bc::Clock& clock,
                                               SourceRateLimiterOptions rate = {}) {
  EchoResponderOptions o;
  o.rate = rate;
  auto r = EchoResponder::start(io, clock, o);
  REQUIRE(r.ok());
  return std::move(r.value());
}

std::string address_of(const udp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

std::unique_ptr<RttProber> start_prober(asio::io_context& io, const bc::Clock& clock, const udp::endpoint& to,
                                        ProbeSessionOptions session) {
  RttProberOptions o;
  o.target = address_of(to);
  o.bind_address = "127.0.0.1";
  o.session = session;
  auto p = RttProber::start(io, clock, o);
  REQUIRE(p.ok());
  return std::move(p.value());
}

}  // namespace

TEST_CASE("sockets: N probes to a responder on loopback give N samples with sane RTTs and no loss") {
  asio::io_context io;
  bc::SystemClock clock;
  auto responder = start_responder(io, clock);
  auto prober = start_prober(io, clock, responder->local_endpoint(),
                             {.interval_ms = 10, .timeout_ms = 1000, .probe_bytes = 64, .probe_count = 30});
  REQUIRE(run_until(io, [&] { return prober->finished(); }));
  ProbeBatch b = prober->drain_samples();
  CHECK(b.sent == 30);
  CHECK(b.lost == 0);
  REQUIRE(b.samples.size() == 30);
  std::vector<double> rtts;
  for (const RttSample& s : b.samples) {
    CHECK(s.rtt_ms > 0);
    CHECK(s.rtt_ms < 1000);
    rtts.push_back(s.rtt_ms);
  }
  std::sort(rtts.begin(), rtts.end());
  CHECK(rtts[rtts.size() / 2] < 50);  // the median: a loaded 2-core machine may stall single probes
  CHECK(prober->counters().min_rtt_ms == doctest::Approx(rtts.front()));
  auto c = responder->counters();
  CHECK(c.received == 30);
  CHECK(c.replied == 30);
  CHECK(c.bytes_replied == 30 * 64);
  CHECK(prober->drain_samples().samples.empty());
}

TEST_CASE("sockets: a responder that answers nobody makes the prober report losses, in-flight held to its limit") {
  asio::io_context io;
  bc::SystemClock clock;
  auto responder = start_responder(io, clock, {.replies_per_s = 0});
  auto prober = start_prober(io, clock, responder->local_endpoint(),
                             {.interval_ms = 5, .timeout_ms = 200, .max_in_flight = 4});
  size_t max_in_flight = 0;
  REQUIRE(run_until(io, [&] {
    auto c = prober->counters();
    max_in_flight = std::max(max_in_flight, c.in_flight);
    return c.lost >= 8 && c.skipped_full >= 8;
  }));
  CHECK(max_in_flight == 4);
  ProbeBatch b = prober->drain_samples();
  CHECK(b.samples.empty());
  CHECK(b.lost >= 8);
  CHECK(b.lost <= b.sent);
  CHECK(responder->counters().dropped_rate_limited >= b.sent - 4);
  CHECK(responder->counters().replied == 0);
}

TEST_CASE("sockets: a flood from one source gets at most burst + rate x time replies; another source is still served") {
  asio::io_context io;
  bc::SystemClock clock;
  auto responder = start_responder(io, clock, {.replies_per_s = 20, .burst = 5});
  const udp::endpoint to = responder->local_endpoint();
  udp::socket flooder(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::vector<uint8_t> probe(kProbeHeaderBytes);
  const int64_t start_us = clock.now_us();
  uint64_t sent = 0;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 50; ++i, ++sent) {
      REQUIRE(encode_probe(ProbePacket{.sequence = sent}, probe).ok());
      flooder.send_to(asio::buffer(probe), to);
    }
    // Let the responder read this round before the next (no kernel drops).
    REQUIRE(run_until(io, [&] { return responder->counters().received == sent; }));
  }
  const double elapsed_s = static_cast<double>(clock.now_us() - start_us) / 1e6;
  auto c = responder->counters();
  CHECK(c.received == 1000);
  CHECK(c.replied >= 5);
  CHECK(static_cast<double>(c.replied) <= 5 + 20 * elapsed_s + 1);
  CHECK(c.dropped_rate_limited == c.received - c.replied);
  // Another address on the loopback net has its own bucket.
  udp::socket other(io, udp::endpoint(asio::ip::make_address("127.0.0.2"), 0));
  REQUIRE(encode_probe(ProbePacket{.sequence = 1}, probe).ok());
  other.send_to(asio::buffer(probe), to);
  REQUIRE(run_until(io, [&] { return responder->counters().received == 1001; }));
  CHECK(responder->counters().replied == c.replied + 1);
  std::array<uint8_t, 64> back{};
  udp::endpoint from;
  CHECK(other.receive_from(asio::buffer(back), from) == kProbeHeaderBytes);
}

TEST_CASE("sockets: malformed datagrams are dropped and counted, never answered") {
  asio::io_context io;
  bc::SystemClock clock;
  auto responder = start_responder(io, clock);
  udp::socket s(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::vector<uint8_t> reply(kProbeHeaderBytes), big(1300, 0);
  REQUIRE(encode_probe(ProbePacket{.reply = true}, reply).ok());
  s.send_to(asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")), responder->local_endpoint());
  s.send_to(asio::buffer(reply), responder->local_endpoint());  // a reply must not be echoed
  std::copy(kProbeMagic.begin(), kProbeMagic.end(), big.begin());
  s.send_to(asio::buffer(big), responder->local_endpoint());    // oversized
  REQUIRE(run_until(io, [&] { return responder->counters().received == 3; }));
  CHECK(responder->counters().dropped_malformed == 3);
  CHECK(responder->counters().replied == 0);
  CHECK(s.available() == 0);
}

TEST_CASE("sockets: replies after the timeout are ignored and counted late; the drain matches the sends") {
  asio::io_context io;
  bc::SystemClock clock;
  // A slow responder: reads probes now, echoes them after the prober gave up.
  udp::socket slow(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto prober = start_prober(io, clock, slow.local_endpoint(),
                             {.interval_ms = 10, .timeout_ms = 100, .probe_count = 5});
  std::vector<std::vector<uint8_t>> held;
  udp::endpoint from;
  REQUIRE(run_until(io, [&] {
    while (slow.available() > 0) {
      std::vector<uint8_t> d(kMaxProbeBytes + 1);
      d.resize(slow.receive_from(asio::buffer(d), from));
      held.push_back(std::move(d));
    }
    return held.size() == 5 && prober->finished();
  }));
  ProbeBatch lost = prober->drain_samples();
  CHECK(lost.sent == 5);
  CHECK(lost.lost == 5);
  CHECK(lost.samples.empty());
  for (auto& d : held) {
    REQUIRE(make_echo_reply(d).ok());
    slow.send_to(asio::buffer(d), from);
  }
  REQUIRE(run_until(io, [&] { return prober->counters().late == 5; }));
  ProbeBatch late = prober->drain_samples();
  CHECK(late.late == 5);
  CHECK(late.sent == 0);
  CHECK(late.lost == 0);
  CHECK(late.samples.empty());
  CHECK(prober->counters().answered == 0);
}

TEST_CASE("sockets: the prober sends from its bind address and rejects a bad target") {
  asio::io_context io;
  bc::SystemClock clock;
  EchoResponderOptions ro;
  ro.bind_address = "127.0.0.3";
  auto responder = EchoResponder::start(io, clock, ro);
  REQUIRE(responder.ok());
  RttProberOptions o;
  o.target = address_of((*responder)->local_endpoint());
  o.bind_address = "127.0.0.2";
  o.session.probe_count = 1;
  auto prober = RttProber::start(io, clock, o);
  REQUIRE(prober.ok());
  CHECK((*prober)->local_endpoint().address().to_string() == "127.0.0.2");
  REQUIRE(run_until(io, [&] { return (*prober)->finished(); }));
  CHECK((*prober)->counters().answered == 1);
  o.target = "localhost:80";
  CHECK(RttProber::start(io, clock, o).status().code() == bc::Status::Code::invalid_argument);
  o.target = "127.0.0.1:99999";
  CHECK(!RttProber::start(io, clock, o).ok());
  ro.bind_address = "192.0.2.1";  // not ours: bind fails
  CHECK(EchoResponder::start(io, clock, ro).status().code() == bc::Status::Code::io_error);
}

TEST_CASE("tcp rtt: TCP_INFO of a loopback connection gives a positive smoothed RTT") {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket client(io), server(io);
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);
  asio::write(client, asio::buffer(std::string(1000, 'x')));
  std::array<char, 1000> buf{};
  asio::read(server, asio::buffer(buf));
  auto r = tcp_socket_rtt(client.native_handle());
  REQUIRE(r.ok());
  CHECK(r->srtt_ms > 0);
  CHECK(r->srtt_ms < 1000);
  udp::socket u(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  CHECK(tcp_socket_rtt(u.native_handle()).status().code() == bc::Status::Code::io_error);
}

TEST_CASE("tcp diag: the sock_diag dump finds a loopback connection by remote address and port, with its RTT") {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.4"), 0});
  asio::ip::tcp::socket client(io), server(io);
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);
  asio::write(client, asio::buffer(std::string(1000, 'x')));
  std::array<char, 1000> buf{};
  asio::read(server, asio::buffer(buf));
  TcpDiagQuery q;
  q.remote_addresses = {"127.0.0.4"};
  q.remote_port = acceptor.local_endpoint().port();
  auto r = tcp_connection_rtts(q);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  const TcpConnectionRtt& c = r->front();
  CHECK(c.local_port == client.local_endpoint().port());
  CHECK(c.remote_address == "127.0.0.4");
  CHECK(c.rtt.srtt_ms > 0);
  CHECK(c.rtt.srtt_ms < 1000);
  q.remote_port = static_cast<uint16_t>(q.remote_port + 1);
  CHECK(tcp_connection_rtts(q)->empty());
}

TEST_CASE("sockets: probing a closed port ends with every probe lost or refused, never a sample") {
  asio::io_context io;
  bc::SystemClock clock;
  udp::endpoint closed;
  {
    udp::socket s(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed = s.local_endpoint();
  }
  auto prober = start_prober(io, clock, closed, {.interval_ms = 10, .timeout_ms = 100, .probe_count = 6});
  REQUIRE(run_until(io, [&] {
    auto c = prober->counters();
    return c.sent + c.send_errors >= 6 && c.in_flight == 0;
  }));
  auto c = prober->counters();
  CHECK(c.answered == 0);
  CHECK(c.lost == c.sent);
  CHECK(c.sent + c.send_errors >= 6);
  CHECK(prober->drain_samples().samples.empty());
}

TEST_CASE("sockets: on an io_context run by two threads, drains from a third thread add up and teardown is clean") {
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  bc::SystemClock clock;
  auto responder = start_responder(io, clock);
  auto prober = start_prober(io, clock, responder->local_endpoint(), {.interval_ms = 2, .timeout_ms = 1000});
  std::thread t1([&] { io.run(); }), t2([&] { io.run(); });
  uint64_t sent = 0, samples = 0, lost = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (samples < 100 && std::chrono::steady_clock::now() < deadline) {
    ProbeBatch b = prober->drain_samples();
    sent += b.sent;
    lost += b.lost;
    samples += b.samples.size();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the drain cadence, as a governor tick
  }
  prober->stop();
  prober.reset();
  responder.reset();
  work.reset();
  t1.join();
  t2.join();
  CHECK(samples >= 100);
  CHECK(lost == 0);
  CHECK(samples <= sent);
}
