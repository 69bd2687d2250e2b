#include "layers/rtt_probe/rtt_stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bc::rtt_probe {

RttSummary summarize_rtt(std::vector<double> v) {
  RttSummary s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const auto rank = [&](double q) {
    // Nearest rank: the smallest sample with at least q of them at or below it.
    size_t r = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(r, 1, v.size()) - 1];
  };
  s.count = v.size();
  s.min_ms = v.front();
  s.max_ms = v.back();
  s.p50_ms = rank(0.50);
  s.p95_ms = rank(0.95);
  s.p99_ms = rank(0.99);
  s.mean_ms = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  return s;
}

}  // namespace bc::rtt_probe
