#include "netsim/sim/simulate_cmd.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "layers/util/fs.hpp"
#include "netsim/sim/fleet.hpp"
#include "netsim/sim/sim_report.hpp"
#include "netsim/sim/simulator.hpp"

namespace bc::netsim::sim {

CLI::App* SimulateFlags::add(CLI::App& app) {
  CLI::App* c = app.add_subcommand("simulate", "the whole fleet in virtual time (fluid model, real peer selection and governor)");
  c->add_option("scenario", scenario, "scenario TOML (may hold a [fleet] table)")->required();
  c->add_option("--seed", seed, "PRNG seed; 0 = the scenario's")->capture_default_str();
  c->add_option("--out", out, "output directory (report.json, report.txt, origin_upload.csv and .gp)");
  c->add_option("--scale", scale, "layer sizes and times x this, as emulate's --scale")->check(CLI::Range(1.0 / 1024, 1.0));
  c->add_option("--branches", branches, "override the fleet's branch count")->check(CLI::Range(1, 100000));
  c->add_option("--step-ms", step_ms, "fluid step and governor tick, ms")->capture_default_str()->check(CLI::Range(10, 5000));
  c->add_option("--chunk-mib", chunk_mib, "transfer unit, MiB")->capture_default_str()->check(CLI::Range(1, 64));
  c->add_option("--layer", layers, "NAME=MIB[:V2_RATIO]: model layer NAME at this size (needed for realistic layers)");
  c->add_option("--rows", rows, "branch rows printed (all are in report.txt)")->capture_default_str();
  return c;
}

namespace {

// `gnuplot origin_upload.gp` in the output directory draws origin_upload.png.
constexpr const char* kOriginPlot =
    "set terminal pngcairo size 1000,400\nset output 'origin_upload.png'\nset datafile separator ','\n"
    "set xlabel 'time (s)'\nset ylabel 'origin upload (Mbit/s)'\nset key off\n"
    "plot 'origin_upload.csv' every ::1 using 1:($2*8/1e6) with lines\n";

int fail(const Status& s) {
  std::fprintf(stderr, "bc-netsim simulate: %s\n", s.to_string().c_str());
  return 1;
}

// --layer NAME=MIB[:V2_RATIO]: sets the layer's size (and its v2's change).
Status apply_layer_sizes(const std::vector<std::string>& specs, Scenario* s) {
  for (const std::string& spec : specs) {
    const auto eq = spec.find('=');
    double mib = 0, ratio = -1;
    const std::string name = spec.substr(0, eq);
    if (eq == std::string::npos || std::sscanf(spec.c_str() + eq + 1, "%lf:%lf", &mib, &ratio) < 1 || mib <= 0 ||
        mib > 65536 || (ratio != -1 && (ratio <= 0 || ratio > 1)))
      return Status::invalid_argument("--layer " + spec + ": want NAME=MIB[:V2_RATIO], MIB in (0, 65536], ratio in (0, 1]");
    auto l = std::find_if(s->layers.begin(), s->layers.end(), [&](const LayerDef& d) { return d.name == name; });
    if (l == s->layers.end()) return Status::invalid_argument("--layer " + spec + ": no layer \"" + name + "\"");
    l->size_bytes = static_cast<std::uint64_t>(mib * 1048576);
    if (ratio > 0) l->v2_change_ratio = ratio;
  }
  return Status();
}

std::string replay_command(const SimulateFlags& f, std::uint64_t seed) {
  std::string cmd = "bc-netsim simulate " + f.scenario + " --seed " + std::to_string(seed);
  if (f.scale != 1) cmd += " --scale " + std::to_string(f.scale);
  if (f.branches) cmd += " --branches " + std::to_string(f.branches);
  if (f.step_ms != 200) cmd += " --step-ms " + std::to_string(f.step_ms);
  if (f.chunk_mib != 4) cmd += " --chunk-mib " + std::to_string(f.chunk_mib);
  for (const std::string& l : f.layers) cmd += " --layer " + l;
  return cmd;
}

}  // namespace

int run_simulate(const SimulateFlags& f) {
  SimLoadOptions lo;
  lo.scale = f.scale;
  if (f.branches) lo.branches = f.branches;
  // The scenario's own seed unless one is given: read it once to learn it.
  std::uint64_t seed = f.seed;
  if (seed == 0) {
    auto s0 = load_sim_scenario(f.scenario, lo);
    if (!s0.ok()) return fail(s0.status());
    seed = s0->seed;
  }
  lo.seed = seed;
  auto s = load_sim_scenario(f.scenario, lo);
  if (!s.ok()) return fail(s.status());
  if (Status st = apply_layer_sizes(f.layers, &*s); !st.ok()) return fail(st);
  SimOptions o;
  o.seed = seed;
  o.step_ms = f.step_ms;
  o.chunk_bytes = f.chunk_mib << 20;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = simulate(*s, o);
  if (!r.ok()) return fail(r.status().with_context("simulate " + f.scenario));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  nlohmann::json j = sim_report_json(*s, *r);
  std::printf("%s", sim_report_table(j, f.rows).c_str());
  std::printf("\nsimulated %.1f s in %.2f s wall\n", double(r->end_ms) / 1000, wall);
  if (!f.out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(f.out, ec);
    if (ec) return fail(Status::io_error("creating " + f.out + ": " + ec.message()));
    for (auto [name, text] : {std::pair<std::string, std::string>{"report.json", j.dump(2) + "\n"},
                              {"report.txt", sim_report_table(j, SIZE_MAX)},
                              {"origin_upload.csv", origin_upload_csv(*r, o.origin_bucket_ms)},
                              {"origin_upload.gp", kOriginPlot}}) {
      if (Status st = write_file_atomic(f.out + "/" + name, text, 0644); !st.ok()) return fail(st);
    }
    std::printf("written: %s/{report.json,report.txt,origin_upload.csv,origin_upload.gp}\n", f.out.c_str());
  }
  if (!r->violations.empty()) {
    for (const std::string& v : r->violations) std::fprintf(stderr, "invariant failed: %s\n", v.c_str());
    std::fprintf(stderr, "seed %llu; replay: %s\n", (unsigned long long)seed, replay_command(f, seed).c_str());
    return 4;
  }
  return 0;
}

}  // namespace bc::netsim::sim
