// One flow of a branch's cross traffic (traffic that is not branchcast's,
// sharing the WAN link), between the branch's "<b>-xt" node and the
// datacenter's "xt-dc" node:
//   constant:    paced UDP at rate_bytes_per_s (IP bytes) in the flow's
//                direction; the receiver binds the port and never reads, so
//                the kernel drops what arrives without answering.
//   interactive: one TCP connection; every interval the branch side sends
//                request_bytes and the datacenter side answers response_bytes;
//                the time from request to the last response byte is recorded.
// Sockets are made in their namespaces on the calling thread; the flow runs
// on its own threads until stop(). Every blocking call has a timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "layers/util/status.hpp"
#include "netsim/scenario/scenario.hpp"
#include "netsim/tools/probe_socket.hpp"

namespace bc::netsim {

struct CrossEnd {
  std::string netns;
  std::string addr;
};

// Latency samples kept per interactive flow.
inline constexpr std::size_t kMaxLatencySamples = 100'000;

class CrossFlow {
 public:
  // `origin`: t = 0 of the run clock, for the samples' send times.
  CrossFlow(CrossFlowDef def, CrossEnd branch_end, CrossEnd dc_end, std::uint16_t port,
            std::chrono::steady_clock::time_point origin = std::chrono::steady_clock::now())
      : def_(std::move(def)), branch_(std::move(branch_end)), dc_(std::move(dc_end)), port_(port), origin_(origin) {}
  ~CrossFlow() { stop(); }
  CrossFlow(const CrossFlow&) = delete;

  // Opens the sockets and starts the threads. Idempotent while running.
  Status start();
  // Stops and joins (bounded by the socket timeouts). Idempotent.
  void stop();

  // Interactive flows: every latency measured so far, ms.
  std::vector<double> latencies_ms() const;
  // Interactive flows: when each of those requests was sent, ms on the run clock.
  std::vector<double> sent_at_ms() const;
  // Constant flows: IP bytes sent.
  std::uint64_t sent_bytes() const { return sent_bytes_.load(); }

 private:
  Status start_constant();
  Status start_interactive();
  // TCP_CONGESTION from the definition; nothing when it names none.
  Status set_congestion_control(int fd) const;
  void run_sender(Fd fd);
  void run_server(Fd listener);
  void run_client(Fd fd);

  CrossFlowDef def_;
  CrossEnd branch_, dc_;
  std::uint16_t port_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> sent_bytes_{0};
  Fd sink_;  // constant: the receiving socket, held open while running
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  std::vector<double> latency_ms_;
  std::vector<double> sent_ms_;
  std::chrono::steady_clock::time_point origin_;
};

}  // namespace bc::netsim
