#include "layers/rtt_probe/tool/commands.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <vector>

#include "layers/rtt_probe/echo_responder.hpp"
#include "layers/rtt_probe/rtt_prober.hpp"
#include "layers/rtt_probe/rtt_stats.hpp"

namespace bc::rtt_probe::tool {
namespace {

double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int cmd_responder(const ResponderArgs& args) {
  Result<boost::asio::ip::udp::endpoint> ep = parse_udp_endpoint(args.bind);
  if (!ep.ok()) {
    std::fprintf(stderr, "bc-probe responder: --bind: %s\n", ep.status().to_string().c_str());
    return 2;
  }
  EchoResponderOptions o;
  o.bind_address = ep->address().to_string();
  o.port = ep->port();
  o.rate.replies_per_s = args.rate_per_source;
  o.rate.burst = args.burst;
  boost::asio::io_context io;
  SystemClock clock;
  auto r = EchoResponder::start(io, clock, o);
  if (!r.ok()) {
    std::fprintf(stderr, "bc-probe responder: %s\n", r.status().to_string().c_str());
    return 1;
  }
  EchoResponder& responder = **r;
  auto local = responder.local_endpoint();
  std::printf("listening udp %s:%u\n", local.address().to_string().c_str(), local.port());
  std::fflush(stdout);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { responder.stop(); io.stop(); });
  boost::asio::steady_timer deadline(io);
  if (args.duration_s > 0) {
    deadline.expires_after(std::chrono::milliseconds(static_cast<int64_t>(args.duration_s * 1000)));
    deadline.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) { responder.stop(); io.stop(); }
    });
  }
  const double cpu0 = process_cpu_s();
  io.run();
  const double cpu_s = process_cpu_s() - cpu0;
  EchoResponderCounters c = responder.counters();
  std::printf("received %llu replied %llu malformed %llu rate_limited %llu send_errors %llu cpu %.3f s",
              (unsigned long long)c.received, (unsigned long long)c.replied,
              (unsigned long long)c.dropped_malformed, (unsigned long long)c.dropped_rate_limited,
              (unsigned long long)c.send_errors, cpu_s);
  if (c.received > 0) std::printf(" (%.1f ms per 10k received)", cpu_s * 1e3 * 1e4 / (double)c.received);
  std::printf("\n");
  return 0;
}

int cmd_ping(const PingArgs& args) {
  RttProberOptions o;
  o.target = args.to;
  o.bind_address = args.bind;
  o.session.interval_ms = args.interval_ms;
  o.session.timeout_ms = args.timeout_ms;
  o.session.probe_bytes = args.size_bytes;
  o.session.probe_count = args.count;
  boost::asio::io_context io;
  SystemClock clock;
  const int64_t start_us = clock.now_us();
  auto p = RttProber::start(io, clock, o);
  if (!p.ok()) {
    std::fprintf(stderr, "bc-probe ping: %s\n", p.status().to_string().c_str());
    return 2;
  }
  RttProber& prober = **p;
  std::vector<double> rtts;
  bool interrupted = false;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) interrupted = true;
  });
  while (!prober.finished() && !interrupted) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
  const double elapsed_s = static_cast<double>(clock.now_us() - start_us) / 1e6;
  for (const RttSample& s : prober.drain_samples().samples) rtts.push_back(s.rtt_ms);
  ProbeCounters c = prober.counters();
  RttSummary s = summarize_rtt(rtts);
  const double loss = c.sent ? static_cast<double>(c.lost) / static_cast<double>(c.sent) : 0.0;
  const double up_bps = elapsed_s > 0 ? static_cast<double>(c.bytes_sent) / elapsed_s : 0.0;
  if (args.json) {
    std::printf(
        "{\"sent\":%llu,\"answered\":%llu,\"lost\":%llu,\"late\":%llu,\"loss\":%.4f,"
        "\"min_ms\":%.3f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
        "\"payload_bytes_sent_per_s\":%.1f}\n",
        (unsigned long long)c.sent, (unsigned long long)c.answered, (unsigned long long)c.lost,
        (unsigned long long)c.late, loss, s.min_ms, s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms, up_bps);
  } else {
    std::printf("%llu sent, %llu answered, %llu lost (%.1f%%), %llu late, %llu refused by the socket\n",
                (unsigned long long)c.sent, (unsigned long long)c.answered,
                (unsigned long long)c.lost, 100.0 * loss, (unsigned long long)c.late,
                (unsigned long long)c.send_errors);
    std::printf("rtt ms: min %.3f p50 %.3f p95 %.3f p99 %.3f max %.3f\n", s.min_ms, s.p50_ms,
                s.p95_ms, s.p99_ms, s.max_ms);
    std::printf("probe payload: %.1f B/s sent, %.1f B/s received (UDP/IP headers not included)\n",
                up_bps, elapsed_s > 0 ? static_cast<double>(c.bytes_received) / elapsed_s : 0.0);
  }
  if (interrupted) return 130;
  return c.answered > 0 ? 0 : 1;
}

}  // namespace bc::rtt_probe::tool
