// bc-bench-probe: what RTT probing costs.
//  1. Responder CPU per 10k probes: EchoResponder (codec + per-source limiter
//     + Asio) on its own thread, against a bare blocking recvfrom/sendto echo
//     measured the same way in the same run (the floor the kernel sets).
//  2. Probe traffic at the default 100 ms interval: an RttProber run for a
//     few seconds; payload bytes/s measured, wire bytes/s with UDP/IPv4 headers.
#include <pthread.h>
#include <sys/socket.h>
#include <ctime>

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "layers/rtt_probe/echo_responder.hpp"
#include "layers/rtt_probe/probe_codec.hpp"
#include "layers/rtt_probe/rtt_prober.hpp"

namespace asio = boost::asio;
using asio::ip::udp;
using namespace bc::rtt_probe;

namespace {

double thread_cpu_s(pthread_t t) {
  clockid_t id;
  pthread_getcpuclockid(t, &id);
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Sends `total` probes to `to` keeping `window` outstanding; returns replies.
uint64_t flood(const udp::endpoint& to, uint64_t total, int window) {
  asio::io_context io;
  udp::socket s(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  s.connect(to);
  struct timeval tv{1, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::array<uint8_t, kMaxProbeBytes + 1> buf{};
  uint64_t sent = 0, got = 0;
  while (got < total) {
    while (sent < total && sent - got < static_cast<uint64_t>(window)) {
      auto n = encode_probe(ProbePacket{.sequence = sent}, buf);
      s.send(asio::buffer(buf.data(), *n));
      ++sent;
    }
    boost::system::error_code ec;
    s.receive(asio::buffer(buf), 0, ec);
    if (ec) break;  // a lost reply: stop rather than hang
    ++got;
  }
  return got;
}

// The reference: a blocking echo with no parsing, no limiter, no Asio.
void bare_echo(int fd, std::atomic<bool>& stop) {
  std::array<uint8_t, 2048> buf{};
  sockaddr_storage from{};
  while (!stop) {
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) continue;
    buf[4] |= 1;
    sendto(fd, buf.data(), static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len);
  }
}

double ms_per_10k(double cpu_s, uint64_t n) { return n ? cpu_s * 1e3 * 1e4 / static_cast<double>(n) : 0; }

}  // namespace

int main(int argc, char** argv) {
  const uint64_t probes = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100'000;
  const int overhead_s = argc > 2 ? std::atoi(argv[2]) : 5;
  bc::SystemClock clock;

  // 1a. EchoResponder.
  asio::io_context rio;
  EchoResponderOptions ro;
  ro.rate.replies_per_s = 1e9;
  ro.rate.burst = 1e6;
  ro.rate.max_total_replies_per_s = 1e9;
  auto responder = EchoResponder::start(rio, clock, ro);
  if (!responder.ok()) return std::fprintf(stderr, "%s\n", responder.status().to_string().c_str()), 1;
  std::thread rt([&] { rio.run(); });
  const double r0 = thread_cpu_s(rt.native_handle());
  const uint64_t r_got = flood((*responder)->local_endpoint(), probes, 32);
  const double r_cpu = thread_cpu_s(rt.native_handle()) - r0;
  rio.stop();
  rt.join();

  // 1b. Bare echo reference.
  asio::io_context bio;
  udp::socket bare(bio, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  struct timeval tv{0, 100'000};
  setsockopt(bare.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::atomic<bool> stop{false};
  std::thread bt([&] { bare_echo(bare.native_handle(), stop); });
  const double b0 = thread_cpu_s(bt.native_handle());
  const uint64_t b_got = flood(bare.local_endpoint(), probes, 32);
  const double b_cpu = thread_cpu_s(bt.native_handle()) - b0;
  stop = true;
  bt.join();

  const double r_ms = ms_per_10k(r_cpu, r_got), b_ms = ms_per_10k(b_cpu, b_got);
  std::printf("responder CPU per 10k probes: %.1f ms (%llu replies)   bare recvfrom/sendto echo: %.1f ms   ratio %.2f\n",
              r_ms, (unsigned long long)r_got, b_ms, b_ms > 0 ? r_ms / b_ms : 0.0);

  // 2. Probe traffic at the default interval.
  asio::io_context io;
  ro.rate = SourceRateLimiterOptions{};
  auto r2 = EchoResponder::start(io, clock, ro);
  RttProberOptions po;
  po.target = "127.0.0.1:" + std::to_string((*r2)->local_endpoint().port());
  auto prober = RttProber::start(io, clock, po);
  if (!prober.ok()) return std::fprintf(stderr, "%s\n", prober.status().to_string().c_str()), 1;
  const int64_t t0 = clock.now_us();
  io.run_for(std::chrono::seconds(overhead_s));
  const double secs = static_cast<double>(clock.now_us() - t0) / 1e6;
  ProbeCounters c = (*prober)->counters();
  const double payload = static_cast<double>(c.bytes_sent) / secs;
  const double wire = static_cast<double>(c.bytes_sent + c.sent * 28) / secs;  // + UDP 8 + IPv4 20
  std::printf("default interval (%lld ms, %zu-byte probes) over %.1f s: %llu probes, %.1f payload B/s, "
              "%.1f B/s = %.2f kbit/s on the wire each way (UDP/IPv4 headers, no link framing)\n",
              (long long)po.session.interval_ms, po.session.probe_bytes, secs,
              (unsigned long long)c.sent, payload, wire, wire * 8 / 1000);
  return 0;
}
