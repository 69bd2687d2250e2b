// Shrinks a scenario for a short run: layer sizes and every time (duration,
// assignments, faults, cross-traffic start/stop) are multiplied by a factor;
// rates, RTTs, queues, loss and file sizes are kept, so the network behaves
// as in the full run and only the amount of work shrinks. A realistic layer
// keeps that share of its root's files instead (LayerDef::subset_fraction).
// Pure.
#pragma once

#include "layers/util/status.hpp"
#include "netsim/scenario/scenario.hpp"

namespace bc::netsim {

// Smallest layer a scaled scenario keeps (one 64 KiB piece), and the factor range.
inline constexpr std::uint64_t kMinScaledLayerBytes = 64 * 1024;
inline constexpr double kMinScale = 1.0 / 1024;
inline constexpr double kMaxScale = 1.0;

// REQUIRES: s validated. invalid_argument when factor is outside
// [kMinScale, kMaxScale]. The result validates (times stay ordered: a fault's
// until stays after its start by at least 1 ms).
Result<Scenario> scale_scenario(const Scenario& s, double factor);

}  // namespace bc::netsim
