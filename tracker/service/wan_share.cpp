#include "tracker/service/wan_share.hpp"

#include <algorithm>

#include "layers/governor/budget_split.hpp"
#include "layers/governor/wan_policy.hpp"

namespace bc::tracker {

double reflector_wan_share(const nlohmann::json& wan_policy, int64_t unix_s, std::vector<LiveReflector> live,
                           const std::string& self_id) {
  if (std::none_of(live.begin(), live.end(), [&](const LiveReflector& r) { return r.id == self_id; }))
    live.push_back({self_id, 0});
  std::sort(live.begin(), live.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  if (live.size() > governor::kMaxReflectorsPerBranch) live.resize(governor::kMaxReflectorsPerBranch);
  auto self = std::find_if(live.begin(), live.end(), [&](const LiveReflector& r) { return r.id == self_id; });
  if (self == live.end()) return 1.0 / double(governor::kMaxReflectorsPerBranch);  // beyond the bound: smallest share
  governor::WanPolicy policy;
  if (wan_policy.is_object()) {
    auto decoded = governor::WanPolicy::decode(wan_policy.dump());
    if (decoded.ok()) policy = *decoded;
  }
  // The declared link (if any) resolves percent caps; the tracker has no
  // estimate of its own.
  const int64_t cap = governor::effective_caps(policy, unix_s, {}).down_cap_bytes_per_s;
  if (cap == governor::kNoLimit) return 1.0 / double(live.size());
  std::vector<governor::ReflectorDemand> demands;
  for (const auto& r : live) demands.push_back({true, std::max<int64_t>(0, r.demand_bytes_per_s)});
  const auto shares = governor::split_budget(cap, demands, kMinReflectorShareBytesPerS);
  const double f = double(shares[size_t(self - live.begin())]) / double(cap);
  return std::clamp(f, 1e-6, 1.0);
}

double endpoint_wan_share(std::size_t branch_endpoints) {
  return 1.0 / double(std::max<std::size_t>(1, branch_endpoints));
}

}  // namespace bc::tracker
