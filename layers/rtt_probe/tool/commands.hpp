// bc-probe subcommands: run an echo responder, or ping one and print RTT
// percentiles and loss. Each returns the process exit code.
#pragma once

#include <cstdint>
#include <string>

namespace bc::rtt_probe::tool {

struct ResponderArgs {
  std::string bind = "127.0.0.1:0";  // ADDR:PORT
  double rate_per_source = 200;      // replies/s per source address
  double burst = 50;
  double duration_s = 0;             // 0: until SIGINT/SIGTERM
};

struct PingArgs {
  std::string to;                // ADDR:PORT of a responder
  std::string bind;              // source address; empty: any
  uint64_t count = 10;
  int64_t interval_ms = 100;
  int64_t timeout_ms = 1000;
  size_t size_bytes = 24;
  bool json = false;
};

int cmd_responder(const ResponderArgs& args);
int cmd_ping(const PingArgs& args);

}  // namespace bc::rtt_probe::tool
