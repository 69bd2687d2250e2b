// The fleet shorthand of a scenario file, for `bc-netsim simulate`:
//
//   [fleet]
//   branches = 200                 # drawn branches f0001..f0200
//   endpoints = [20, 80]           # endpoints per branch, uniform in [min, max]
//   reflectors = 1                 # per branch that has any
//   no_reflector_share = 0.1       # share of branches drawn without a reflector
//   lan_mbit = 1000
//   link_profiles = [ { down_mbit = 20, up_mbit = 20, rtt_ms = 40, queue_ms = 50, loss = 0 }, ... ]
//
// The rest of the file is an ordinary scenario (docs/netsim.md); [[branches]]
// may be omitted when [fleet] is there. The draw uses the run's seed, so a
// seed gives the same fleet. `emulate` does not read [fleet].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "layers/util/status.hpp"
#include "netsim/scenario/scenario.hpp"

namespace bc::netsim::sim {

inline constexpr std::size_t kMaxFleetBranches = 100'000;

struct SimLoadOptions {
  std::uint64_t seed = 1;
  double scale = 1;                          // scale_scenario's factor (layer sizes and times)
  std::optional<std::size_t> branches;       // overrides fleet.branches
};

// Parses the text (scenario plus optional [fleet]) and draws the fleet.
// Errors name the field ("fleet.endpoints: ...").
Result<Scenario> parse_sim_scenario(std::string_view toml_text, const SimLoadOptions& o);
Result<Scenario> load_sim_scenario(const std::string& path, const SimLoadOptions& o);

}  // namespace bc::netsim::sim
