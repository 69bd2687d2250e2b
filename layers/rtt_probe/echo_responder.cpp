#include "layers/rtt_probe/echo_responder.hpp"

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <span>

#include "layers/rtt_probe/probe_codec.hpp"

namespace bc::rtt_probe {

namespace asio = boost::asio;
using asio::ip::udp;

struct EchoResponder::State : std::enable_shared_from_this<EchoResponder::State> {
  State(asio::io_context& io, const Clock& c, EchoResponderOptions o)
      : strand(asio::make_strand(io)), socket(strand), clock(c), limiter(o.rate) {}

  // Every handler runs on this strand, so an io_context run by several
  // threads never runs two of them at once.
  asio::strand<asio::io_context::executor_type> strand;
  udp::socket socket;
  udp::endpoint local;
  const Clock& clock;
  SourceRateLimiter limiter;
  // One byte more than the largest probe, so an oversized datagram is seen
  // as oversized rather than silently truncated to a valid size.
  std::array<uint8_t, kMaxProbeBytes + 1> buffer{};
  udp::endpoint sender;
  std::atomic<uint64_t> received{0}, replied{0}, malformed{0}, rate_limited{0}, send_errors{0},
      bytes_replied{0};

  void read() {
    socket.async_receive_from(asio::buffer(buffer), sender,
                              [self = shared_from_this()](const boost::system::error_code& ec,
                                                          size_t n) { self->on_read(ec, n); });
  }

  void on_read(const boost::system::error_code& ec, size_t n) {
    if (ec == asio::error::operation_aborted || !socket.is_open()) return;
    if (!ec) handle(n);
    // Other errors (an ICMP error reported on the socket) do not stop the responder.
    read();
  }

  void handle(size_t n) {
    received.fetch_add(1, std::memory_order_relaxed);
    std::span<uint8_t> datagram(buffer.data(), n);
    Result<size_t> reply = make_echo_reply(datagram);
    if (!reply.ok()) {
      malformed.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (!limiter.allow(key_of(sender.address()), clock.now_us())) {
      rate_limited.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    // Non-blocking send: a full socket buffer drops the reply (counted)
    // instead of queueing work for a flood.
    boost::system::error_code send_ec;
    socket.send_to(asio::buffer(buffer.data(), *reply), sender, 0, send_ec);
    if (send_ec) {
      send_errors.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    replied.fetch_add(1, std::memory_order_relaxed);
    bytes_replied.fetch_add(*reply, std::memory_order_relaxed);
  }

  static SourceKey key_of(const asio::ip::address& a) {
    SourceKey k;
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
      auto b = a.to_v6().to_bytes();
      std::copy(b.begin() + 12, b.end(), k.bytes.begin());
    } else if (a.is_v6()) {
      auto b = a.to_v6().to_bytes();
      std::copy(b.begin(), b.end(), k.bytes.begin());
      k.v6 = true;
    } else {
      auto b = a.to_v4().to_bytes();
      std::copy(b.begin(), b.end(), k.bytes.begin());
    }
    return k;
  }
};

Status EchoResponderOptions::validate() const {
  boost::system::error_code ec;
  asio::ip::make_address(bind_address, ec);
  if (ec) return Status::invalid_argument("bind_address '" + bind_address + "' is not a literal IP address");
  return rate.validate().with_context("rate");
}

Result<std::unique_ptr<EchoResponder>> EchoResponder::start(asio::io_context& io, const Clock& clock,
                                                            EchoResponderOptions options) {
  BC_RETURN_IF_ERROR(options.validate().with_context("echo responder"));
  auto state = std::make_shared<State>(io, clock, options);
  udp::endpoint ep(asio::ip::make_address(options.bind_address), options.port);
  boost::system::error_code ec;
  state->socket.open(ep.protocol(), ec);
  if (!ec) state->socket.bind(ep, ec);
  if (!ec) state->socket.non_blocking(true, ec);
  if (ec) {
    return Status::io_error("echo responder: bind udp " + options.bind_address + ":" +
                            std::to_string(options.port) + ": " + ec.message());
  }
  state->local = state->socket.local_endpoint(ec);
  asio::post(state->strand, [state] { state->read(); });
  return std::unique_ptr<EchoResponder>(new EchoResponder(std::move(state)));
}

EchoResponder::~EchoResponder() { stop(); }

void EchoResponder::stop() {
  asio::dispatch(state_->strand, [state = state_] {
    boost::system::error_code ec;
    if (state->socket.is_open()) state->socket.close(ec);
  });
}

udp::endpoint EchoResponder::local_endpoint() const { return state_->local; }

EchoResponderCounters EchoResponder::counters() const {
  EchoResponderCounters c;
  c.received = state_->received.load(std::memory_order_relaxed);
  c.replied = state_->replied.load(std::memory_order_relaxed);
  c.dropped_malformed = state_->malformed.load(std::memory_order_relaxed);
  c.dropped_rate_limited = state_->rate_limited.load(std::memory_order_relaxed);
  c.send_errors = state_->send_errors.load(std::memory_order_relaxed);
  c.bytes_replied = state_->bytes_replied.load(std::memory_order_relaxed);
  return c;
}

Result<udp::endpoint> parse_udp_endpoint(const std::string& text) {
  const auto bad = [&] {
    return Status::invalid_argument("'" + text + "' is not ADDRESS:PORT (IPv6 as [ADDRESS]:PORT)");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size() || text.size() - colon - 1 > 5) return bad();
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return bad();
  }
  uint32_t port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9') return bad();
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (port > 65535) return bad();
  boost::system::error_code ec;
  asio::ip::address a = asio::ip::make_address(host, ec);
  if (ec) return bad();
  return udp::endpoint(a, static_cast<uint16_t>(port));
}

}  // namespace bc::rtt_probe
