#include "netsim/sim/fleet.hpp"

#include <cstdio>
#include <sstream>
#include <toml++/toml.h>
#include <vector>

#include "layers/util/fs.hpp"
#include "layers/util/rng.hpp"
#include "netsim/emulate/scale.hpp"
#include "netsim/scenario/scenario_parse.hpp"

namespace bc::netsim::sim {

namespace {

struct FleetDef {
  std::size_t branches = 0;
  std::size_t endpoints_min = 20, endpoints_max = 80;
  std::size_t reflectors = 1;
  double no_reflector_share = 0;
  std::uint64_t lan_bytes_per_s = 125'000'000;
  std::vector<WanDef> profiles;
};

Status bad(const std::string& field, const std::string& why) {
  return Status::invalid_argument("fleet." + field + ": " + why);
}

Result<WanDef> read_profile(const toml::table& t, std::size_t i) {
  const std::string at = "link_profiles[" + std::to_string(i) + "].";
  WanDef w;
  auto mbit = [&](const char* k, std::uint64_t* out) -> Status {
    auto v = t[k].value<double>();
    if (!v || *v <= 0) return bad(at + k, "must be a number > 0 (Mbit/s)");
    *out = static_cast<std::uint64_t>(*v * 125'000);
    return Status();
  };
  BC_RETURN_IF_ERROR(mbit("down_mbit", &w.down_bytes_per_s));
  BC_RETURN_IF_ERROR(mbit("up_mbit", &w.up_bytes_per_s));
  w.rtt_ms = t["rtt_ms"].value_or(40.0);
  w.queue_ms = t["queue_ms"].value_or(50.0);
  w.loss = t["loss"].value_or(0.0);
  if (w.rtt_ms <= 0) return bad(at + "rtt_ms", "must be > 0");
  if (w.queue_ms <= 0) return bad(at + "queue_ms", "must be > 0");
  if (w.loss < 0 || w.loss > 0.5) return bad(at + "loss", "must be in [0, 0.5]");
  return w;
}

Result<FleetDef> read_fleet(const toml::table& t) {
  FleetDef f;
  auto n = t["branches"].value<std::int64_t>();
  if (!n || *n < 1 || std::size_t(*n) > kMaxFleetBranches) return bad("branches", "must be an integer in 1..100000");
  f.branches = std::size_t(*n);
  if (const toml::array* e = t["endpoints"].as_array()) {
    auto lo = (*e)[0].value<std::int64_t>(), hi = (*e)[1].value<std::int64_t>();
    if (e->size() != 2 || !lo || !hi || *lo < 1 || *hi < *lo || *hi > 100'000)
      return bad("endpoints", "must be [min, max] with 1 <= min <= max <= 100000");
    f.endpoints_min = std::size_t(*lo);
    f.endpoints_max = std::size_t(*hi);
  }
  f.reflectors = std::size_t(t["reflectors"].value_or(std::int64_t{1}));
  f.no_reflector_share = t["no_reflector_share"].value_or(0.0);
  if (f.no_reflector_share < 0 || f.no_reflector_share > 1) return bad("no_reflector_share", "must be in [0, 1]");
  f.lan_bytes_per_s = static_cast<std::uint64_t>(t["lan_mbit"].value_or(1000.0) * 125'000);
  const toml::array* p = t["link_profiles"].as_array();
  if (!p || p->empty()) return bad("link_profiles", "must list at least one { down_mbit, up_mbit, rtt_ms } table");
  for (std::size_t i = 0; i < p->size(); ++i) {
    const toml::table* pt = (*p)[i].as_table();
    if (!pt) return bad("link_profiles[" + std::to_string(i) + "]", "must be a table");
    auto w = read_profile(*pt, i);
    if (!w.ok()) return w.status();
    f.profiles.push_back(*w);
  }
  return f;
}

void draw_fleet(const FleetDef& f, std::uint64_t seed, std::vector<BranchDef>* out) {
  SplitMix64 rng(seed ^ 0xF1EE7ull);
  for (std::size_t i = 1; i <= f.branches; ++i) {
    BranchDef b;
    char name[16];
    std::snprintf(name, sizeof name, "f%05zu", i);
    b.name = name;
    b.wan = f.profiles[rng.below(f.profiles.size())];
    b.endpoints = f.endpoints_min + std::size_t(rng.below(f.endpoints_max - f.endpoints_min + 1));
    b.reflectors = rng.unit() < f.no_reflector_share ? 0 : f.reflectors;
    b.lan_bytes_per_s = f.lan_bytes_per_s;
    out->push_back(std::move(b));
  }
}

}  // namespace

Result<Scenario> parse_sim_scenario(std::string_view text, const SimLoadOptions& o) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return Status::invalid_argument(std::string("TOML: ") + std::string(e.description()));
  }
  std::optional<FleetDef> fleet;
  bool explicit_branches = root.contains("branches");
  if (const toml::table* ft = root["fleet"].as_table()) {
    auto f = read_fleet(*ft);
    if (!f.ok()) return f.status();
    fleet = *f;
    root.erase("fleet");
    // The scenario parser needs a branch; the fleet replaces this one.
    if (!explicit_branches) root.insert("branches", toml::array{toml::table{
        {"name", "fleet"}, {"endpoints", 1}, {"wan", toml::table{{"down_mbit", 10}, {"up_mbit", 10}, {"rtt_ms", 40}}}}});
  }
  if (o.branches && !fleet) return Status::invalid_argument("--branches needs a [fleet] table in the scenario");
  if (fleet && o.branches) fleet->branches = *o.branches;
  std::ostringstream rest;
  rest << root;
  auto s = parse_scenario(rest.str());
  if (!s.ok()) return s.status();
  if (o.scale != 1) {
    auto scaled = scale_scenario(*s, o.scale);
    if (!scaled.ok()) return scaled.status();
    s = std::move(*scaled);
  }
  if (fleet) {
    if (!explicit_branches) s->branches.clear();
    draw_fleet(*fleet, o.seed, &s->branches);
  }
  return s;
}

Result<Scenario> load_sim_scenario(const std::string& path, const SimLoadOptions& o) {
  auto text = read_small_file(path, kMaxScenarioTomlBytes);
  if (!text.ok()) return text.status();
  auto s = parse_sim_scenario(*text, o);
  if (!s.ok()) return s.status().with_context(path);
  return s;
}

}  // namespace bc::netsim::sim
