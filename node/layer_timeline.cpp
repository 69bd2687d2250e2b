#include "node/layer_timeline.hpp"

#include <algorithm>

namespace bc::node {

const char* to_string(LayerStep s) {
  switch (s) {
    case LayerStep::seen: return "seen";
    case LayerStep::metadata: return "metadata";
    case LayerStep::staged: return "staged";
    case LayerStep::added: return "added";
    case LayerStep::checked: return "checked";
    case LayerStep::first_byte: return "first_byte";
    case LayerStep::complete: return "complete";
    case LayerStep::applied: return "applied";
  }
  return "?";
}

int64_t LayerTimeline::mark(const std::string& ref, LayerStep step, int64_t now_ms) {
  if (step == LayerStep::seen) {
    if (layers_.count(ref)) return 0;  // seen again (a later desired state, a retry): the first time counts
    if (layers_.size() >= kMaxLayers) {
      auto oldest = std::min_element(layers_.begin(), layers_.end(),
                                     [](const auto& a, const auto& b) { return a.second.order < b.second.order; });
      layers_.erase(oldest);
    }
    Trace t;
    t.seen_ms = now_ms;
    t.order = next_order_++;
    t.steps.emplace_back(LayerStep::seen, 0);
    layers_[ref] = std::move(t);
    return 0;
  }
  auto it = layers_.find(ref);
  if (it == layers_.end()) return -1;
  Trace& t = it->second;
  for (const auto& [s, ms] : t.steps)
    if (s == step) return ms;
  const int64_t ms = now_ms - t.seen_ms;
  t.steps.emplace_back(step, ms);
  return ms;
}

std::string LayerTimeline::summary(const std::string& ref) const {
  auto it = layers_.find(ref);
  if (it == layers_.end()) return "";
  std::string out;
  for (const auto& [s, ms] : it->second.steps)
    out += (out.empty() ? "" : ", ") + std::string(to_string(s)) + " +" + std::to_string(ms) + " ms";
  return out;
}

}  // namespace bc::node
