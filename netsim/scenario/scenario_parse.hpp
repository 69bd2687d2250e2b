// Reads a Scenario from TOML (format: docs/netsim.md, "Scenario format").
// Unknown keys, wrong types and out-of-range values are refused with the
// field path ("branches[2].wan.rtt_ms: must be > 0"). The result is validated.
#pragma once

#include <string>
#include <string_view>

#include "layers/util/status.hpp"
#include "netsim/scenario/scenario.hpp"

namespace bc::netsim {

// REQUIRES nothing; text larger than kMaxScenarioTomlBytes is refused.
Result<Scenario> parse_scenario(std::string_view toml_text);
// Reads and parses a file; errors carry the path as context.
Result<Scenario> load_scenario(const std::string& path);

}  // namespace bc::netsim
