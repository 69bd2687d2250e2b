// The RTT prober: a UDP socket on the caller's io_context that sends a probe
// to an echo responder every interval, matches replies by sequence and
// records RTT samples on an injected clock (ProbeSession holds the logic).
// A WAN governor tick calls drain_samples() for the samples and loss counts
// since its previous tick.
//
// Bind it to the node's WAN-facing address so probes take the path of the
// node's traffic. The socket is connected to the responder, so datagrams
// from anyone else never reach the session.
//
// Thread affinity: any thread; `io` may be run by several threads (handlers
// run on one strand). The first probe leaves once `io` runs. stop() and the
// destructor stop sending at once and close the socket on the strand.
// Handlers hold the internals alive, so destruction with operations pending
// is safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <memory>
#include <string>

#include "layers/rtt_probe/probe_session.hpp"
#include "layers/util/clock.hpp"
#include "layers/util/status.hpp"

namespace bc::rtt_probe {

struct RttProberOptions {
  std::string target;        // the responder, "ADDR:PORT" or "[V6]:PORT"; required
  std::string bind_address;  // source address (the WAN-facing one); empty: any; default empty
  uint16_t bind_port = 0;    // source port; 0: any; default 0
  ProbeSessionOptions session;  // interval (100 ms), timeout (1000 ms), sizes and bounds
  Status validate() const;
};

class RttProber {
 public:
  // Opens, binds and connects the socket; the first probe leaves as soon as
  // `io` runs.
  // invalid_argument for bad options; io_error when the socket cannot be
  // bound or connected. `clock` must outlive the prober and be monotonic in µs.
  static Result<std::unique_ptr<RttProber>> start(boost::asio::io_context& io, const Clock& clock,
                                                   RttProberOptions options);
  ~RttProber();
  RttProber(const RttProber&) = delete;
  RttProber& operator=(const RttProber&) = delete;

  // Samples, sends, losses and late replies since the previous call.
  ProbeBatch drain_samples();
  ProbeCounters counters() const;
  // A counted run (probe_count) is over: see ProbeSession::finished().
  bool finished() const;
  boost::asio::ip::udp::endpoint local_endpoint() const;
  // Stops sending and closes the socket. Idempotent.
  void stop();

  struct State;

 private:
  explicit RttProber(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace bc::rtt_probe
