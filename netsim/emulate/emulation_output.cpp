// Emulation: the progress line and the run's outputs (links.json, nodes.json,
// the report and its plots).
#include <algorithm>
#include <chrono>

#include "layers/util/fs.hpp"
#include "netsim/emulate/emulation_impl.hpp"
#include "netsim/report/plots.hpp"
#include "netsim/report/report.hpp"
#include "netsim/report/run_inputs.hpp"

namespace bc::netsim {

using nlohmann::json;

std::vector<InteractiveData> Emulation::interactive_series() const {
  std::vector<InteractiveData> out;
  for (const auto& [key, flow] : cross_) {
    const BranchDef* b = s_.branch(key.first);
    if (b == nullptr || b->cross_traffic[key.second].kind != CrossKind::interactive) continue;
    out.push_back({key.first, static_cast<int>(key.second) + 1, flow->latencies_ms(), flow->sent_at_ms()});
  }
  return out;
}

void Emulation::print_progress() {
  json links = emu_.stats_json()["links"];
  std::string line = "t=" + std::to_string(now_ms() / 1000) + "s";
  for (const BranchDef& b : s_.branches) {
    std::uint64_t down = 0;
    if (links.contains(b.name)) down = links[b.name]["b_to_a"]["counters"].value("bytes_out", std::uint64_t{0});
    auto by = book_.branch_bytes(b.name);
    std::size_t done = 0;
    for (const BookEntry& e : book_.entries())
      if (e.branch == b.name && e.endpoint && !stacks_[b.name].empty() &&
          std::all_of(stacks_[b.name].begin(), stacks_[b.name].end(), [&](const std::string& r) { return e.done_ms.count(r) > 0; }))
        ++done;
    line += " | " + b.name + ": WAN down " + mib(down) + " MiB, from origin " + mib(by["origin"]) +
            ", reflector " + mib(by["reflector"]) + ", peers " + mib(by["peer"]) + ", done " + std::to_string(done) +
            "/" + std::to_string(b.endpoints);
  }
  say(line);
}

Status Emulation::write_outputs(EmulateResult& r) {
  r.run_s = static_cast<double>(now_ms()) / 1000.0;
  r.all_complete = all_done() && !stacks_.empty();
  for (auto& [key, flow] : cross_) flow->stop();  // the latencies are final from here
  json links = emu_.stats_json();
  // The emulator's series start when it did, before the tracker and enrollment;
  // shift them onto the run clock (setup traffic lands at negative times).
  const std::int64_t offset_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t0_ - emu_started_).count();
  links["run_clock_offset_ms"] = offset_ms;
  for (auto& [branch, l] : links["links"].items())
    for (const char* dir : {"a_to_b", "b_to_a"})
      if (l.contains(dir) && l[dir].contains("series") && l[dir]["series"].contains("t_ms"))
        for (json& t : l[dir]["series"]["t_ms"]) t = t.get<std::int64_t>() - offset_ms;
  BC_RETURN_IF_ERROR(write_file_atomic(o_.run_dir + "/links.json", links.dump() + "\n", 0644));
  for (const auto& [branch, l] : links["links"].items()) {
    std::string line = "WAN down to " + branch + " by source:";
    for (const auto& [key, bytes] : l["b_to_a"]["bytes_by_source_net"].items())
      line += " " + key + " " + mib(bytes.get<std::uint64_t>()) + " MiB;";
    const json& re = l["b_to_a"]["resent"];
    line += " resent (delivered before): tcp " + mib(re.value("tcp_bytes", std::uint64_t{0})) + " MiB, utp " +
            mib(re.value("utp_bytes", std::uint64_t{0})) + " MiB";
    say(line);
  }
  json nodes = book_.nodes_json(interactive_series());
  nodes["window_changes"] = json::array();
  for (const auto& [branch, w] : cap_windows_)
    nodes["window_changes"].push_back({{"branch", branch}, {"at_ms", w.at_ms}, {"end_ms", w.end_at_ms},
                                       {"unix_s", w.boundary_unix_s},
                                       {"cap_before_bytes_per_s", w.cap_before_bytes_per_s == governor::kNoLimit ? 0 : w.cap_before_bytes_per_s},
                                       {"cap_after_bytes_per_s", w.cap_after_bytes_per_s == governor::kNoLimit ? 0 : w.cap_after_bytes_per_s}});
  BC_RETURN_IF_ERROR(write_file_atomic(o_.run_dir + "/nodes.json", nodes.dump(2) + "\n", 0644));
  BC_ASSIGN_OR_RETURN(RunInputs in, load_run_inputs(o_.run_dir));
  Report rep = build_report(s_, in);
  BC_RETURN_IF_ERROR(write_file_atomic(o_.run_dir + "/report.json", rep.to_json().dump(2) + "\n", 0644));
  r.report_table = rep.to_table();
  BC_RETURN_IF_ERROR(write_file_atomic(o_.run_dir + "/report.txt", r.report_table, 0644));
  if (o_.plots) BC_RETURN_IF_ERROR(draw_plots(s_, in, rep, o_.run_dir));
  return Status();
}

}  // namespace bc::netsim
