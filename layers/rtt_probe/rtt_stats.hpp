// Summary statistics of RTT samples for people (bc-probe ping, logs,
// benchmarks). Pure.
#pragma once

#include <cstddef>
#include <vector>

namespace bc::rtt_probe {

struct RttSummary {
  size_t count = 0;
  double min_ms = 0, p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

// Nearest-rank percentiles; all zero when `rtt_ms` is empty.
RttSummary summarize_rtt(std::vector<double> rtt_ms);

}  // namespace bc::rtt_probe
