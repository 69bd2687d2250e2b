#include "netsim/emulate/cross_flow.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace bc::netsim {

namespace {

constexpr std::uint32_t kUdpPacketBytes = 1200;  // IP bytes per datagram of a constant flow
constexpr std::uint32_t kUdpHeaderBytes = 28;
constexpr int kSocketTimeoutMs = 200;            // every blocking call wakes this often to see stop()
constexpr int kConnectTimeoutMs = 10'000;

// Sends or receives exactly n bytes, giving up on stop or error.
bool io_all(int fd, char* buf, std::size_t n, bool send, const std::atomic<bool>& stop) {
  std::size_t done = 0;
  while (done < n && !stop.load()) {
    ssize_t r = send ? ::send(fd, buf + done, n - done, MSG_NOSIGNAL) : ::recv(fd, buf + done, n - done, 0);
    if (r > 0) done += static_cast<std::size_t>(r);
    else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    else return false;
  }
  return done == n;
}

void set_timeouts(int fd) {
  timeval tv{0, kSocketTimeoutMs * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

Status CrossFlow::start() {
  if (!threads_.empty()) return Status();
  stop_ = false;
  return def_.kind == CrossKind::constant ? start_constant() : start_interactive();
}

void CrossFlow::stop() {
  stop_ = true;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  sink_ = Fd();
}

Status CrossFlow::start_constant() {
  const CrossEnd& from = def_.direction == Direction::down ? dc_ : branch_;
  const CrossEnd& to = def_.direction == Direction::down ? branch_ : dc_;
  BC_ASSIGN_OR_RETURN(sink_, socket_in_netns(to.netns, SOCK_DGRAM, to.addr, port_));
  BC_ASSIGN_OR_RETURN(Fd fd, socket_in_netns(from.netns, SOCK_DGRAM, from.addr, 0));
  BC_ASSIGN_OR_RETURN(sockaddr_in dst, ipv4_address(to.addr, port_));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0)
    return Status::io_error(std::string("connect (udp): ") + std::strerror(errno));
  threads_.emplace_back([this, f = std::move(fd)]() mutable { run_sender(std::move(f)); });
  return Status();
}

// Paced by the clock, not by sleeps alone: each datagram is due at
// start + sent_bytes / rate, so the rate holds however late a wake-up is.
void CrossFlow::run_sender(Fd fd) {
  std::vector<char> payload(kUdpPacketBytes - kUdpHeaderBytes, 'x');
  const auto t0 = std::chrono::steady_clock::now();
  std::uint64_t sent = 0;
  while (!stop_.load()) {
    auto due = t0 + std::chrono::nanoseconds(static_cast<std::int64_t>(
                        static_cast<double>(sent) * 1e9 / static_cast<double>(def_.rate_bytes_per_s)));
    auto now = std::chrono::steady_clock::now();
    if (due > now) {
      std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(due - now, std::chrono::milliseconds(50)));
      continue;
    }
    (void)::send(fd.get(), payload.data(), payload.size(), MSG_DONTWAIT);
    sent += kUdpPacketBytes;
    sent_bytes_ = sent;
  }
}

Status CrossFlow::start_interactive() {
  BC_ASSIGN_OR_RETURN(Fd listener, socket_in_netns(dc_.netns, SOCK_STREAM, dc_.addr, port_));
  BC_RETURN_IF_ERROR(set_congestion_control(listener.get()));  // accepted sockets inherit it
  if (::listen(listener.get(), 4) != 0) return Status::io_error(std::string("listen: ") + std::strerror(errno));
  set_timeouts(listener.get());
  BC_ASSIGN_OR_RETURN(Fd client, socket_in_netns(branch_.netns, SOCK_STREAM, branch_.addr, 0));
  BC_RETURN_IF_ERROR(set_congestion_control(client.get()));
  threads_.emplace_back([this, l = std::move(listener)]() mutable { run_server(std::move(l)); });
  threads_.emplace_back([this, c = std::move(client)]() mutable { run_client(std::move(c)); });
  return Status();
}

Status CrossFlow::set_congestion_control(int fd) const {
  const std::string& cc = def_.congestion_control;
  if (cc.empty()) return Status();
  if (::setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc.data(), socklen_t(cc.size())) != 0)
    return Status::io_error("cross traffic: TCP congestion control \"" + cc + "\": " + std::strerror(errno));
  return Status();
}

void CrossFlow::run_server(Fd listener) {
  std::vector<char> req(def_.request_bytes), resp(def_.response_bytes, 'r');
  while (!stop_.load()) {
    Fd conn(::accept(listener.get(), nullptr, nullptr));
    if (conn.get() < 0) continue;  // timeout: look at stop_ again
    set_timeouts(conn.get());
    while (!stop_.load()) {
      if (!io_all(conn.get(), req.data(), req.size(), false, stop_)) break;
      if (!io_all(conn.get(), resp.data(), resp.size(), true, stop_)) break;
    }
  }
}

void CrossFlow::run_client(Fd fd) {
  auto dst = ipv4_address(dc_.addr, port_);
  if (!dst.ok()) return;
  timeval tv{kConnectTimeoutMs / 1000, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // bounds connect()
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&*dst), sizeof *dst) != 0) return;
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  set_timeouts(fd.get());
  std::vector<char> req(def_.request_bytes, 'q'), resp(def_.response_bytes);
  auto next = std::chrono::steady_clock::now();
  while (!stop_.load()) {
    auto now = std::chrono::steady_clock::now();
    if (now < next) {
      std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(next - now, std::chrono::milliseconds(50)));
      continue;
    }
    next += std::chrono::milliseconds(def_.interval_ms);
    auto t = std::chrono::steady_clock::now();
    if (!io_all(fd.get(), req.data(), req.size(), true, stop_)) return;
    if (!io_all(fd.get(), resp.data(), resp.size(), false, stop_)) return;
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
    std::lock_guard lock(mu_);
    if (latency_ms_.size() < kMaxLatencySamples) {
      latency_ms_.push_back(ms);
      sent_ms_.push_back(std::chrono::duration<double, std::milli>(t - origin_).count());
    }
    if (next < std::chrono::steady_clock::now()) next = std::chrono::steady_clock::now();  // no burst after a stall
  }
}

std::vector<double> CrossFlow::latencies_ms() const {
  std::lock_guard lock(mu_);
  return latency_ms_;
}

std::vector<double> CrossFlow::sent_at_ms() const {
  std::lock_guard lock(mu_);
  return sent_ms_;
}

}  // namespace bc::netsim
