#include "netsim/emulate/scale.hpp"

#include <algorithm>
#include <cmath>

namespace bc::netsim {

namespace {
std::int64_t scale_ms(std::int64_t ms, double f) {
  if (ms < 0) return ms;  // -1 = "never"/"end of run" keeps its meaning
  return static_cast<std::int64_t>(std::llround(static_cast<double>(ms) * f));
}
}  // namespace

Result<Scenario> scale_scenario(const Scenario& s, double factor) {
  if (!(factor >= kMinScale && factor <= kMaxScale))
    return Status::invalid_argument("scale: must be in [1/1024, 1], got " + std::to_string(factor));
  Scenario out = s;
  if (factor == 1.0) return out;
  out.duration_ms = std::max<std::int64_t>(1000, scale_ms(s.duration_ms, factor));
  for (LayerDef& l : out.layers) {
    // A realistic layer keeps this share of its root's files (by path hash).
    if (l.content == LayerContent::realistic) {
      l.subset_fraction *= factor;
      continue;
    }
    auto scaled = static_cast<std::uint64_t>(std::llround(static_cast<double>(l.size_bytes) * factor));
    l.size_bytes = std::max(kMinScaledLayerBytes, scaled);
    // A file class larger than the shrunk layer becomes one file of the layer's size.
    for (FileMixEntry& m : l.file_mix) m.file_bytes = std::min(m.file_bytes, l.size_bytes);
  }
  for (AssignmentDef& a : out.assignments) a.at_ms = scale_ms(a.at_ms, factor);
  for (FaultDef& f : out.faults) {
    f.at_ms = scale_ms(f.at_ms, factor);
    if (f.until_ms >= 0) f.until_ms = std::max(f.at_ms + 1, scale_ms(f.until_ms, factor));
  }
  for (BranchDef& b : out.branches) {
    if (b.cap_window) b.cap_window->after_ms = scale_ms(b.cap_window->after_ms, factor);
    for (CrossFlowDef& c : b.cross_traffic) {
      c.start_ms = scale_ms(c.start_ms, factor);
      if (c.stop_ms >= 0) c.stop_ms = std::max(c.start_ms + 1, scale_ms(c.stop_ms, factor));
    }
  }
  BC_RETURN_IF_ERROR(out.validate().with_context("scaled scenario"));
  return out;
}

}  // namespace bc::netsim
