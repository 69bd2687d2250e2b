#include "netsim/tools/timer_jitter.hpp"

#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "netsim/tools/flow_probe.hpp"
#include "netsim/tools/probe_socket.hpp"

namespace bc::netsim {

Status TimerJitterOptions::validate() const {
  if (period_us < 50 || period_us > 1'000'000) return Status::invalid_argument("period_us in [50, 1000000]");
  if (duration_ms < 1 || duration_ms > 600'000) return Status::invalid_argument("duration_ms in [1, 600000]");
  if (realtime_priority < 0 || realtime_priority > 99) return Status::invalid_argument("realtime_priority in [0, 99]");
  return Status();
}

std::int64_t TimerJitterResult::percentile_ns(double q) const {
  if (lateness_ns.empty()) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(lateness_ns.size())));
  return lateness_ns[std::max<std::size_t>(rank, 1) - 1];
}

Result<TimerJitterResult> measure_timer_jitter(const TimerJitterOptions& o) {
  BC_RETURN_IF_ERROR(o.validate());
  TimerJitterResult r;
  Status thread_status;
  const std::int64_t period = static_cast<std::int64_t>(o.period_us) * 1000;
  r.lateness_ns.reserve(static_cast<std::size_t>(o.duration_ms) * 1000 / static_cast<std::size_t>(o.period_us) + 1);
  std::thread t([&] {
    ::prctl(PR_SET_TIMERSLACK, o.timer_slack_ns, 0, 0, 0);
    thread_status = set_realtime(o.realtime_priority);
    if (!thread_status.ok()) return;
    const std::int64_t start = mono_ns();
    const std::int64_t end = start + static_cast<std::int64_t>(o.duration_ms) * 1'000'000;
    for (std::int64_t due = start + period; due < end; due += period) {
      timespec ts{static_cast<time_t>(due / 1'000'000'000), static_cast<long>(due % 1'000'000'000)};
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
      }
      // Every deadline that passed while the thread slept is late by its own
      // amount, as each packet due during a stall is in the emulator.
      const std::int64_t now = mono_ns();
      r.lateness_ns.push_back(now - due);
      while (due + period <= now && due + period < end) {
        due += period;
        r.lateness_ns.push_back(now - due);
      }
    }
  });
  t.join();
  BC_RETURN_IF_ERROR(thread_status);
  std::sort(r.lateness_ns.begin(), r.lateness_ns.end());
  return r;
}

}  // namespace bc::netsim
