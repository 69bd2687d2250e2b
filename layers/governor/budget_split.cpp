#include "layers/governor/budget_split.hpp"

#include <algorithm>
#include <numeric>

namespace bc::governor {

std::vector<int64_t> split_budget(int64_t cap, std::span<const ReflectorDemand> demands, int64_t min_share) {
  std::vector<int64_t> share(demands.size(), 0);
  std::vector<size_t> live;
  for (size_t i = 0; i < demands.size() && i < kMaxReflectorsPerBranch; ++i)
    if (demands[i].live) live.push_back(i);
  if (live.empty() || cap <= 0) return share;
  if (cap == kNoLimit) {
    for (size_t i : live) share[i] = kNoLimit;
    return share;
  }
  int64_t n = int64_t(live.size());
  int64_t base = std::min(std::max<int64_t>(0, min_share), cap / n);
  int64_t remaining = cap - base * n;
  for (size_t i : live) share[i] = base;

  // Water-fill the demand above the base share, smallest first.
  std::sort(live.begin(), live.end(), [&](size_t a, size_t b) {
    return demands[a].demand_bytes_per_s < demands[b].demand_bytes_per_s;
  });
  int64_t left = n;
  for (size_t i : live) {
    int64_t want = std::max<int64_t>(0, demands[i].demand_bytes_per_s - base);
    int64_t fair = remaining / left;
    int64_t give = std::min(want, fair);
    share[i] += give;
    remaining -= give;
    --left;
  }
  // Spread what nobody asked for, so every reflector can grow next round.
  int64_t extra = remaining / n;
  for (size_t i : live) share[i] += extra;
  return share;
}

}  // namespace bc::governor
