#include "netsim/tools/rtt_probe.hpp"

#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "netsim/tools/flow_probe.hpp"
#include "netsim/tools/probe_socket.hpp"

namespace bc::netsim {

namespace {
struct Probe {
  std::uint64_t magic;
  std::int64_t sent_ns;
};
constexpr std::uint64_t kMagic = 0x6263726474747072ull;  // "bcrdttpr"
}  // namespace

std::int64_t RttResult::percentile_ns(double q) const {
  if (rtt_ns.empty()) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(rtt_ns.size())));
  return rtt_ns[std::max<std::size_t>(rank, 1) - 1];
}

Status RttProbeOptions::validate() const {
  if (count < 1 || count > 100'000) return Status::invalid_argument("count in [1, 100000]");
  if (interval_us < 10 || interval_us > 10'000'000) return Status::invalid_argument("interval_us in [10, 1e7]");
  if (packet_bytes < 28 + sizeof(Probe) || packet_bytes > 1500) {
    return Status::invalid_argument("packet_bytes in [44, 1500]");
  }
  if (drain_ms < 0 || drain_ms > 60'000) return Status::invalid_argument("drain_ms in [0, 60000]");
  return Status();
}

Result<RttResult> run_rtt_probe(const RttProbeOptions& o) {
  BC_RETURN_IF_ERROR(o.validate());
  BC_ASSIGN_OR_RETURN(UdpPath path, open_udp_path(o.server_ns, o.server_addr, o.port, o.client_ns, o.client_addr));
  const Fd &server = path.rx, &client = path.tx;
  const sockaddr_in& dst = path.dst;

  std::atomic<bool> stop{false};
  std::thread echo([&] {
    (void)set_realtime(o.realtime_priority);
    std::vector<std::uint8_t> buf(2048);
    while (!stop.load()) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(server.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n > 0) ::sendto(server.get(), buf.data(), static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  });
  RttResult r;
  std::atomic<std::uint64_t> received{0};
  std::thread reply_reader([&] {
    (void)set_realtime(o.realtime_priority);
    std::vector<std::uint8_t> buf(2048);
    while (!stop.load()) {
      ssize_t n = ::recv(client.get(), buf.data(), buf.size(), 0);
      std::int64_t now = mono_ns();
      if (n < static_cast<ssize_t>(sizeof(Probe))) continue;
      Probe p;
      std::memcpy(&p, buf.data(), sizeof p);
      if (p.magic != kMagic) continue;
      if (r.rtt_ns.size() < static_cast<std::size_t>(o.count)) r.rtt_ns.push_back(now - p.sent_ns);
      received++;
    }
  });

  std::vector<std::uint8_t> payload(o.packet_bytes - 28, 0);
  const std::int64_t start = mono_ns();
  for (int i = 0; i < o.count; ++i) {
    std::int64_t at = start + static_cast<std::int64_t>(i) * o.interval_us * 1000;
    timespec ts{static_cast<time_t>(at / 1'000'000'000), static_cast<long>(at % 1'000'000'000)};
    ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
    Probe p{kMagic, mono_ns()};
    std::memcpy(payload.data(), &p, sizeof p);
    ::sendto(client.get(), payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&dst), sizeof dst);
    r.sent++;
  }
  // Bounded wait for the last replies.
  const std::int64_t deadline = mono_ns() + static_cast<std::int64_t>(o.drain_ms) * 1'000'000;
  while (received.load() < r.sent && mono_ns() < deadline) {
    timespec ts{0, 5'000'000};
    ::nanosleep(&ts, nullptr);
  }
  stop = true;
  reply_reader.join();
  echo.join();
  r.received = received.load();
  std::sort(r.rtt_ns.begin(), r.rtt_ns.end());
  return r;
}

}  // namespace bc::netsim
