// The machine's own timer jitter: how late a thread that sleeps to an
// absolute deadline wakes up. Measured alongside an emulator test, it is the
// reference that separates the emulator's lateness from the VM's: no
// userspace delay line can be more punctual than the wake-ups the machine
// grants it.
#pragma once

#include <cstdint>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::netsim {

struct TimerJitterOptions {
  // Period between deadlines, microseconds. Default 500. REQUIRES 50..1000000.
  int period_us = 500;
  // How long to measure, ms. Default 1000. REQUIRES 1..600000.
  int duration_ms = 1000;
  // SCHED_FIFO priority of the measuring thread, 0 = normal.
  int realtime_priority = 0;
  // PR_SET_TIMERSLACK of the measuring thread, ns. Default 1 (the emulator's).
  unsigned long timer_slack_ns = 1;

  Status validate() const;
};

struct TimerJitterResult {
  std::vector<std::int64_t> lateness_ns;  // wake-up minus deadline, sorted ascending

  // The q-quantile (nearest rank); 0 when there are no samples.
  std::int64_t percentile_ns(double q) const;
  std::int64_t max_ns() const { return lateness_ns.empty() ? 0 : lateness_ns.back(); }
};

// Sleeps to absolute deadlines every period_us for duration_ms, on a thread of
// its own, and records how late each deadline was served. A stall makes every
// deadline it covers late by its own amount, as it would packets due then.
Result<TimerJitterResult> measure_timer_jitter(const TimerJitterOptions& options);

}  // namespace bc::netsim
