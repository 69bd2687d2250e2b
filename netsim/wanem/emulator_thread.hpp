// Runs WanLinks on a dedicated thread with its own io_context, so callers
// (linktest, the emulate runner) may block while packets keep flowing.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "netsim/wanem/wan_link.hpp"

namespace bc::netsim {

struct EmulatorThreadOptions {
  // SCHED_FIFO priority of the emulator thread (1..99), 0 = normal scheduling.
  // A real-time priority keeps departures on time on a busy machine. Default 0.
  int realtime_priority = 0;
  // The thread's timer slack in nanoseconds (PR_SET_TIMERSLACK); the kernel
  // default is 50 us, which would add that much jitter. Default 1.
  unsigned long timer_slack_ns = 1;

  Status validate() const;
};

class EmulatorThread {
 public:
  EmulatorThread() = default;
  ~EmulatorThread();  // stops and joins
  EmulatorThread(const EmulatorThread&) = delete;

  // REQUIRES: not started. Adds a link named `name` bridging a and b.
  Status add_link(const std::string& name, TunDevice a, TunDevice b, const WanLinkOptions& options);
  // Starts the thread and every link. Errors if a real-time priority was
  // asked for and refused.
  Status start(const EmulatorThreadOptions& options);
  // Reconfigures link `name` (see WanLink::reconfigure); blocks until applied.
  Status reconfigure(const std::string& name, const LinkOptions& a_to_b, const LinkOptions& b_to_a);
  // Cuts (or restores) link `name` (see WanLink::set_cut); blocks until applied.
  Status set_cut(const std::string& name, bool cut);
  // {"links": {name: WanLink::stats_json()}}; blocks until the thread answers.
  nlohmann::json stats_json();
  // Stops every link and joins the thread. Idempotent.
  void stop();

 private:
  boost::asio::io_context io_;
  std::vector<std::pair<std::string, std::unique_ptr<WanLink>>> links_;
  std::thread thread_;
  bool started_ = false;
};

}  // namespace bc::netsim
