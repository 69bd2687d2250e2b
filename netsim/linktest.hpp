// `bc-netsim linktest`: builds a two-namespace bench with one emulated link
// and measures the emulator against its configuration: delivered rate (UDP
// and TCP) at several rates, round-trip time against 2 x delay, queuing delay
// of a full queue against queue bytes / rate, loss against the configured
// probability, and the emulator thread's CPU use.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/util/status.hpp"

namespace bc::netsim {

struct LinkTestOptions {
  // Namespaces are "bcns-<run_id>-...". Default "linktest".
  std::string run_id = "linktest";
  // Rates measured, Mbit/s. Default 10, 20, 50, 100.
  std::vector<double> rates_mbit = {10, 20, 50, 100};
  // One-way delay of each direction, ms. Default 10.
  double delay_ms = 10;
  // Queue limit as time at link rate, ms. Default 50.
  double queue_ms = 50;
  // Loss probability used in the loss phase. Default 0.01.
  double loss = 0.01;
  // Length of each rate flow, ms. Default 2000.
  int flow_ms = 2000;
  // Probes in each RTT phase (2 ms apart). Default 500.
  int rtt_probes = 500;
  // Run the TCP flows too. Default true.
  bool tcp = true;
  // SCHED_FIFO priority of the probe threads, 0 = off; the emulator runs 10
  // above it (capped at 99). Default 50: on a loaded machine normal scheduling
  // adds milliseconds of jitter.
  int realtime_priority = 50;
  // Busy-wait budget before each departure, us. Default 0.
  std::int64_t spin_us = 0;
};

// Runs every phase; returns the report as JSON (see docs/netsim.md).
Result<nlohmann::json> run_link_test(const LinkTestOptions& options);

// A human-readable table of a run_link_test report.
std::string format_link_test(const nlohmann::json& report);

}  // namespace bc::netsim
