#include "netsim/tools/flow_probe.hpp"

#include <netinet/in.h>
#include <linux/tcp.h>  // tcp_info with tcpi_bytes_received (glibc's lacks it)
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "netsim/tools/probe_socket.hpp"

namespace bc::netsim {

namespace {

struct Arrival {
  std::int64_t t_ns;
  std::uint32_t bytes;
};

// Rate over the steady window [first arrival after warm-up, last arrival]:
// the least-squares slope of cumulative bytes against time. Unlike
// (bytes / window), a short stall of the measuring thread near either end of
// the window barely moves it.
void compute_rate(const std::vector<Arrival>& a, int warmup_ms, FlowResult& r) {
  if (a.size() < 2) return;
  std::int64_t start = a.front().t_ns + static_cast<std::int64_t>(warmup_ms) * 1'000'000;
  std::size_t i0 = 0;
  while (i0 < a.size() && a[i0].t_ns < start) ++i0;
  if (i0 + 2 >= a.size()) return;
  r.window_s = static_cast<double>(a.back().t_ns - a[i0].t_ns) / 1e9;
  const double n = static_cast<double>(a.size() - i0);
  double sum_t = 0, sum_b = 0, sum_tt = 0, sum_tb = 0, cum = 0;
  for (std::size_t i = i0; i < a.size(); ++i) {
    if (i > i0) cum += a[i].bytes;
    const double t = static_cast<double>(a[i].t_ns - a[i0].t_ns) / 1e9;
    sum_t += t;
    sum_b += cum;
    sum_tt += t * t;
    sum_tb += t * cum;
  }
  const double den = n * sum_tt - sum_t * sum_t;
  if (den > 0) r.delivered_rate_bytes_per_s = (n * sum_tb - sum_t * sum_b) / den;
}

void sleep_ns(std::int64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  ::nanosleep(&ts, nullptr);
}

// Receives until the sender is done and nothing arrived for idle_ms.
template <class OnData>
void receive_loop(int fd, std::atomic<bool>& sender_done, OnData on_data) {
  constexpr std::int64_t kIdleNs = 400'000'000;
  std::vector<std::uint8_t> buf(1 << 16);
  std::int64_t last = mono_ns();
  for (;;) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    std::int64_t now = mono_ns();
    if (n > 0) {
      last = now;
      on_data(now, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return;  // TCP peer closed
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return;
    if (sender_done.load() && now - last > kIdleNs) return;
  }
}

}  // namespace

Status FlowOptions::validate() const {
  if (packet_bytes < 28 + 16 || packet_bytes > 9000) return Status::invalid_argument("packet_bytes in [44, 9000]");
  if (duration_ms < 100 || duration_ms > 600'000) return Status::invalid_argument("duration_ms in [100, 600000]");
  if (warmup_ms < 0 || warmup_ms >= duration_ms) return Status::invalid_argument("warmup_ms in [0, duration_ms)");
  if (offered_rate_bytes_per_s < 1000) return Status::invalid_argument("offered rate below 1000 B/s");
  if (realtime_priority < 0 || realtime_priority > 99) return Status::invalid_argument("realtime_priority in [0, 99]");
  return Status();
}

Status set_realtime(int priority) {
  if (priority <= 0) return Status();
  sched_param p{};
  p.sched_priority = priority;
  int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &p);
  if (rc != 0) return Status::permission_denied(std::string("SCHED_FIFO: ") + std::strerror(rc));
  return Status();
}

Result<FlowResult> run_udp_flow(const FlowOptions& o) {
  BC_RETURN_IF_ERROR(o.validate());
  BC_ASSIGN_OR_RETURN(UdpPath path, open_udp_path(o.receiver_ns, o.receiver_addr, o.port, o.sender_ns, o.sender_addr));
  int big = 8 << 20;
  ::setsockopt(path.rx.get(), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);

  std::atomic<bool> done{false};
  std::vector<Arrival> arrivals;
  arrivals.reserve(kMaxFlowSamples);
  std::thread receiver([&] {
    (void)set_realtime(o.realtime_priority);
    receive_loop(path.rx.get(), done, [&](std::int64_t t, std::size_t n) {
      if (arrivals.size() < kMaxFlowSamples) arrivals.push_back({t, static_cast<std::uint32_t>(n + 28)});
    });
  });

  FlowResult r;
  // The sender runs at the receiver's priority too: a starved sender would
  // under-offer and look like a slow link.
  std::thread sender([&] {
    (void)set_realtime(o.realtime_priority);
    std::vector<std::uint8_t> payload(o.packet_bytes - 28, 0x5a);
    const std::int64_t start = mono_ns();
    const std::int64_t end = start + static_cast<std::int64_t>(o.duration_ms) * 1'000'000;
    for (std::int64_t now = start; now < end; now = mono_ns()) {
      // Send whatever the offered rate allows up to now, then sleep ~0.5 ms.
      double allowed = static_cast<double>(o.offered_rate_bytes_per_s) * static_cast<double>(now - start) / 1e9;
      while (static_cast<double>(r.packets_sent * o.packet_bytes) < allowed) {
        ::sendto(path.tx.get(), payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&path.dst), sizeof path.dst);
        r.packets_sent++;
      }
      sleep_ns(500'000);
    }
  });
  sender.join();
  done = true;
  receiver.join();
  r.packets_received = arrivals.size();
  for (const Arrival& a : arrivals) r.bytes_received += a.bytes;
  compute_rate(arrivals, o.warmup_ms, r);
  return r;
}

Result<FlowResult> run_tcp_flow(const FlowOptions& o) {
  BC_RETURN_IF_ERROR(o.validate());
  BC_ASSIGN_OR_RETURN(Fd listener, socket_in_netns(o.receiver_ns, SOCK_STREAM, o.receiver_addr, o.port));
  if (::listen(listener.get(), 1) != 0) return Status::io_error(std::string("listen: ") + std::strerror(errno));
  BC_ASSIGN_OR_RETURN(Fd tx, socket_in_netns(o.sender_ns, SOCK_STREAM, o.sender_addr, 0));
  BC_ASSIGN_OR_RETURN(sockaddr_in dst, ipv4_address(o.receiver_addr, o.port));
  if (::connect(tx.get(), reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
    return Status::unavailable("connect " + o.receiver_addr + ": " + std::strerror(errno));
  }
  Fd rx(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (rx.get() < 0) return Status::io_error(std::string("accept: ") + std::strerror(errno));
  BC_RETURN_IF_ERROR(set_receive_timeout(rx.get(), 100));

  // The receiver samples the kernel's count of bytes and segments received
  // (TCP_INFO) after every read: a snapshot at the time of the call, so the
  // rate is right even when the reading thread runs late.
  struct Sample {
    std::int64_t t_ns;
    std::uint64_t bytes;
    std::uint32_t segs;
  };
  std::atomic<bool> done{false};
  std::vector<Sample> samples;
  samples.reserve(kMaxFlowSamples);
  std::uint32_t header = 40;
  std::thread receiver([&] {
    (void)set_realtime(o.realtime_priority);
    receive_loop(rx.get(), done, [&](std::int64_t, std::size_t) {
      tcp_info ti{};
      socklen_t len = sizeof ti;
      if (::getsockopt(rx.get(), IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) return;
      if (ti.tcpi_options & TCPI_OPT_TIMESTAMPS) header = 52;
      if (samples.size() < kMaxFlowSamples) samples.push_back({mono_ns(), ti.tcpi_bytes_received, ti.tcpi_segs_in});
    });
  });
  tcp_info info{};
  std::thread sender([&] {
    (void)set_realtime(o.realtime_priority);
    std::vector<std::uint8_t> chunk(64 * 1024, 0x5a);
    timeval tv{0, 100'000};
    ::setsockopt(tx.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    const std::int64_t end = mono_ns() + static_cast<std::int64_t>(o.duration_ms) * 1'000'000;
    while (mono_ns() < end) {
      if (::send(tx.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL) < 0 && errno != EAGAIN && errno != EINTR) break;
    }
    socklen_t len = sizeof info;
    ::getsockopt(tx.get(), IPPROTO_TCP, TCP_INFO, &info, &len);
  });
  sender.join();
  ::shutdown(tx.get(), SHUT_WR);
  done = true;
  receiver.join();

  FlowResult r;
  r.tcp_mss = info.tcpi_snd_mss;
  if (samples.size() < 2) return Status::unavailable("TCP flow delivered nothing");
  // IP bytes = payload + one header per segment; as cumulative arrivals.
  std::vector<Arrival> arrivals;
  arrivals.reserve(samples.size());
  std::uint64_t prev = samples.front().bytes + std::uint64_t{samples.front().segs} * header;
  for (const Sample& x : samples) {
    std::uint64_t wire = x.bytes + std::uint64_t{x.segs} * header;
    arrivals.push_back({x.t_ns, static_cast<std::uint32_t>(wire - prev)});
    prev = wire;
  }
  r.packets_received = samples.back().segs - samples.front().segs;
  r.bytes_received = samples.back().bytes + std::uint64_t{samples.back().segs} * header;
  compute_rate(arrivals, o.warmup_ms, r);
  return r;
}

}  // namespace bc::netsim
