#include "layers/rtt_probe/rtt_prober.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <climits>
#include <mutex>

#include "layers/rtt_probe/echo_responder.hpp"

namespace bc::rtt_probe {

namespace asio = boost::asio;
using asio::ip::udp;

struct RttProber::State : std::enable_shared_from_this<RttProber::State> {
  State(asio::io_context& io, const Clock& c, const RttProberOptions& o)
      : strand(asio::make_strand(io)), socket(strand), timer(strand), clock(c), session(o.session) {}

  // The read and timer handlers run on this strand, never at once.
  asio::strand<asio::io_context::executor_type> strand;
  udp::socket socket;
  asio::steady_timer timer;
  const Clock& clock;
  mutable std::mutex mu;  // guards session: drains come from other threads
  ProbeSession session;
  std::array<uint8_t, kMaxProbeBytes + 1> rx{};
  std::array<uint8_t, kMaxProbeBytes> tx{};
  udp::endpoint local;
  std::atomic<bool> stopped{false};

  void read() {
    socket.async_receive(asio::buffer(rx), [self = shared_from_this()](
                                               const boost::system::error_code& ec, size_t n) {
      self->on_read(ec, n);
    });
  }

  void on_read(const boost::system::error_code& ec, size_t n) {
    if (ec == asio::error::operation_aborted || stopped) return;
    if (!ec) {
      const int64_t now_us = clock.now_us();
      std::lock_guard lock(mu);
      session.on_datagram(std::span<const uint8_t>(rx.data(), n), now_us);
    }
    // connection_refused (ICMP port unreachable) and the like: the probe is
    // simply unanswered and will time out; keep reading.
    read();
  }

  // Sends what is due, then sleeps until the session's next deadline.
  void tick() {
    if (stopped) return;
    int64_t wake_us;
    {
      std::lock_guard lock(mu);
      const int64_t now_us = clock.now_us();
      if (std::optional<size_t> n = session.poll_send(now_us, tx)) {
        boost::system::error_code ec;
        socket.send(asio::buffer(tx.data(), *n), 0, ec);
        if (ec) session.cancel_last_send();
      }
      session.expire(now_us);
      wake_us = session.next_wakeup_us();
      if (wake_us == INT64_MAX) return;  // finished: nothing more to do
      wake_us = wake_us <= now_us ? 0 : wake_us - now_us;
    }
    timer.expires_after(std::chrono::microseconds(wake_us));
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->tick();
    });
  }
};

Status RttProberOptions::validate() const {
  BC_RETURN_IF_ERROR(parse_udp_endpoint(target).status().with_context("target"));
  if (!bind_address.empty()) {
    boost::system::error_code ec;
    asio::ip::make_address(bind_address, ec);
    if (ec) return Status::invalid_argument("bind_address '" + bind_address + "' is not a literal IP address");
  }
  return session.validate().with_context("session");
}

Result<std::unique_ptr<RttProber>> RttProber::start(asio::io_context& io, const Clock& clock,
                                                    RttProberOptions options) {
  BC_RETURN_IF_ERROR(options.validate().with_context("rtt prober"));
  const udp::endpoint target = *parse_udp_endpoint(options.target);
  auto state = std::make_shared<State>(io, clock, options);
  udp::endpoint local(target.protocol(), options.bind_port);
  if (!options.bind_address.empty()) local.address(asio::ip::make_address(options.bind_address));
  boost::system::error_code ec;
  const char* step = "open";
  state->socket.open(target.protocol(), ec);
  if (!ec) step = "bind", state->socket.bind(local, ec);
  if (!ec) step = "connect", state->socket.connect(target, ec);
  if (!ec) step = "set non-blocking", state->socket.non_blocking(true, ec);
  if (ec) {
    return Status::io_error("rtt prober: " + std::string(step) + " udp socket to " + options.target +
                            ": " + ec.message());
  }
  state->local = state->socket.local_endpoint(ec);
  asio::post(state->strand, [state] {
    state->read();
    state->tick();
  });
  return std::unique_ptr<RttProber>(new RttProber(std::move(state)));
}

RttProber::~RttProber() { stop(); }

void RttProber::stop() {
  state_->stopped = true;
  asio::dispatch(state_->strand, [state = state_] {
    boost::system::error_code ec;
    state->timer.cancel();
    if (state->socket.is_open()) state->socket.close(ec);
  });
}

ProbeBatch RttProber::drain_samples() {
  std::lock_guard lock(state_->mu);
  return state_->session.drain();
}

ProbeCounters RttProber::counters() const {
  std::lock_guard lock(state_->mu);
  return state_->session.counters();
}

bool RttProber::finished() const {
  std::lock_guard lock(state_->mu);
  return state_->session.finished();
}

udp::endpoint RttProber::local_endpoint() const { return state_->local; }

}  // namespace bc::rtt_probe
