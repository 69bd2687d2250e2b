// `bc-netsim simulate SCENARIO [--seed N] [--out DIR] [--scale F] [--branches N]`:
// loads the scenario (with its [fleet] shorthand), runs the simulator, writes
// report.json, report.txt, origin_upload.csv and origin_upload.gp (its gnuplot
// script), prints the table. A failed
// invariant prints the seed and the command that replays it (exit 4).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace bc::netsim::sim {

struct SimulateFlags {
  std::string scenario, out;
  std::uint64_t seed = 0;  // 0: the scenario's seed
  double scale = 1;
  std::size_t branches = 0;  // 0: the fleet's count
  std::int64_t step_ms = 200;
  std::uint64_t chunk_mib = 4;
  std::size_t rows = 40;
  std::vector<std::string> layers;  // NAME=MIB[:V2_RATIO]: a layer's modelled size (realistic layers)

  CLI::App* add(CLI::App& app);
};

int run_simulate(const SimulateFlags& f);

}  // namespace bc::netsim::sim
