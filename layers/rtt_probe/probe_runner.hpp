// An RttProber with its own io_context thread, as a node's WAN governor uses
// it: the node's drivers are single-threaded loops, so the prober's socket
// runs on a thread of its own and the loop only drains samples (thread-safe).
// Implements governor::RttSource for WanGovernorLoop.
//
// Thread affinity: start/drain/destruction from the owner thread; the
// internal thread only runs the prober's handlers.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <thread>

#include "layers/rtt_probe/rtt_prober.hpp"
#include "layers/governor/wan_governor_loop.hpp"
#include "layers/util/clock.hpp"

namespace bc::rtt_probe {

class ProbeRunner final : public governor::RttSource {
 public:
  // Starts probing `options.target` from `options.bind_address`. Errors: as
  // RttProber::start. `clock` must outlive the runner (µs-monotonic).
  static Result<std::unique_ptr<ProbeRunner>> start(const Clock& clock, RttProberOptions options);
  // Stops the prober and joins the thread (bounded: the io_context is stopped).
  ~ProbeRunner() override;
  ProbeRunner(const ProbeRunner&) = delete;
  ProbeRunner& operator=(const ProbeRunner&) = delete;

  governor::RttDrain drain() override;
  const std::string& target() const { return target_; }
  ProbeCounters counters() const { return prober_->counters(); }
  boost::asio::ip::udp::endpoint local_endpoint() const { return prober_->local_endpoint(); }

 private:
  ProbeRunner() = default;
  boost::asio::io_context io_;
  std::unique_ptr<RttProber> prober_;
  std::thread thread_;
  std::string target_;
};

}  // namespace bc::rtt_probe
