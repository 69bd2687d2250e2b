// The probe responder: a UDP socket on the caller's io_context that echoes
// well-formed probe requests back to their source with the reply flag set
// (probe_codec.hpp), within a per-source rate limit. Stateless per probe; it
// never reads its clock for the reply, only for the rate limit.
//
// Thread affinity: any thread; `io` may be run by several threads (handlers
// run on one strand). Reading starts once `io` runs. stop() and the
// destructor close the socket on the strand, so the port is released once
// `io` runs that (or when `io` is destroyed). Handlers hold the internals
// alive, so destroying the responder with operations pending is safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "layers/rtt_probe/source_rate_limiter.hpp"
#include "layers/util/clock.hpp"
#include "layers/util/status.hpp"

namespace bc::rtt_probe {

struct EchoResponderOptions {
  std::string bind_address = "127.0.0.1";  // literal IPv4/IPv6 address; default 127.0.0.1
  uint16_t port = 0;                       // UDP port; 0 picks a free one; default 0
  SourceRateLimiterOptions rate;           // per-source and total reply limits
  Status validate() const;
};

struct EchoResponderCounters {
  uint64_t received = 0;              // datagrams read
  uint64_t replied = 0;               // replies handed to the kernel
  uint64_t dropped_malformed = 0;     // not a probe request (bad bytes, or a reply)
  uint64_t dropped_rate_limited = 0;  // over the source's or the total reply rate
  uint64_t send_errors = 0;           // the kernel refused the reply (buffer full, unreachable)
  uint64_t bytes_replied = 0;
};

class EchoResponder {
 public:
  // Binds and starts reading. invalid_argument for bad options; io_error
  // when the address cannot be bound (in use, not local). `clock` must
  // outlive the responder.
  static Result<std::unique_ptr<EchoResponder>> start(boost::asio::io_context& io, const Clock& clock,
                                                      EchoResponderOptions options);
  ~EchoResponder();
  EchoResponder(const EchoResponder&) = delete;
  EchoResponder& operator=(const EchoResponder&) = delete;

  // The bound address and port (the port chosen when options.port was 0).
  boost::asio::ip::udp::endpoint local_endpoint() const;
  EchoResponderCounters counters() const;
  // Closes the socket; pending reads end. Idempotent.
  void stop();

  struct State;

 private:
  explicit EchoResponder(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// "127.0.0.1:7000", "[::1]:7000" -> endpoint; invalid_argument otherwise.
Result<boost::asio::ip::udp::endpoint> parse_udp_endpoint(const std::string& text);

}  // namespace bc::rtt_probe
