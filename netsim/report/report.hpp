// The report of one run: (a) WAN bytes per branch against the content new to
// the branch, (b) endpoint completion times against the Kumar–Ross bound,
// (c) queuing delay added on each WAN link, (d) bytes by source cross-checked
// against the link counters, and interactive cross-traffic latency. Pure:
// build_report() computes; to_json()/to_table() format.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "netsim/report/governor_figures.hpp"
#include "netsim/report/run_inputs.hpp"
#include "netsim/scenario/scenario.hpp"

namespace bc::netsim {

struct BranchReport {
  std::string branch;
  std::uint64_t wan_down_bytes = 0;       // link counter, everything
  std::uint64_t wan_up_bytes = 0;
  // From the run's content facts when it has them (the raw new content, see
  // below), else from the scenario's sizes and change ratios.
  std::uint64_t new_content_bytes = 0;
  // From content.json (content_facts.hpp), -1 without it: the raw new
  // content (manifest bytes the branch did not hold: new files, changed
  // pieces) and the wire new content (the torrent bytes it must fetch,
  // block-rounded), and the link's BitTorrent stream and IP bytes against each.
  std::int64_t raw_new_content_bytes = -1;
  std::int64_t wire_new_content_bytes = -1;
  double bt_stream_per_raw = -1, bt_stream_per_wire = -1;
  double wan_down_per_raw = -1, wan_down_per_wire = -1;
  // The same per assignment that brought the branch something (content
  // facts only): wire ÷ raw per layer version is what the layout puts on
  // the wire for it (padding above 1, compression below).
  struct AssignmentContent {
    std::string layer;
    int version = 1;
    std::uint64_t raw_bytes = 0, wire_bytes = 0;
  };
  std::vector<AssignmentContent> new_content_by_assignment;
  double wan_down_per_new_content = 0;    // 1.0 = each new byte crossed the WAN once
  // The content-carrying part of the link's downstream bytes: the
  // BitTorrent stream (no IP/UDP/uTP headers, no tracker polls), and its
  // ratio to the new content: what dedup and the swarm did. -1: the run's
  // links.json has no class tallies.
  std::int64_t wan_down_bt_stream_bytes = -1;
  double bt_stream_per_new_content = -1;
  std::uint64_t wan_down_bt_ip_bytes = 0;       // the same packets as IP bytes
  std::uint64_t wan_down_tracker_ip_bytes = 0;  // polls, reports, manifests (HTTP), IP bytes
  std::uint64_t nodes_wan_bytes = 0;      // Σ bytes_by_source["wan"] of the branch's nodes
  std::uint64_t nodes_lan_bytes = 0;      // Σ bytes_by_source["lan"]
  std::uint64_t cross_down_bytes_expected = 0;  // scenario's cross traffic, downstream
  bool cross_check_ok = true;
  std::string cross_check_note;
  double qdelay_down_ms[3] = {0, 0, 0};   // p50, p95, p99
  double qdelay_up_ms[3] = {0, 0, 0};
  std::uint64_t drops_down = 0, drops_up = 0;
  double interactive_p50_ms = -1, interactive_p95_ms = -1;  // -1: no samples
};

struct CompletionReport {
  std::string node, branch, layer;
  int version = 1;
  std::int64_t assigned_ms = 0;
  std::int64_t done_ms = -1;   // -1: not completed
  double elapsed_s = -1;
  double bound_s = 0;          // Kumar–Ross lower bound
  std::uint64_t bound_bytes = 0;  // F of the bound: wire new bytes with content facts, else the scenario's
  double ratio = -1;           // elapsed / bound
};

struct Report {
  std::string scenario;
  std::vector<BranchReport> branches;
  std::vector<CompletionReport> completions;
  // Branches with cross traffic, a WAN policy, a cap window or a governor
  // mode other than "on" (governor_figures.hpp).
  std::vector<GovernorFigures> governor;
  std::vector<std::string> warnings;  // inputs that did not match the scenario

  nlohmann::json to_json() const;
  std::string to_table() const;
};

// Expected bytes of the scenario's downstream cross traffic on a branch over
// [0, duration_ms): constant flows × active time, interactive responses.
std::uint64_t expected_cross_down_bytes(const BranchDef& b, std::int64_t duration_ms);

// Percentile (0..1) of values by nearest rank; -1 for no values.
double percentile(std::vector<double> values, double p);

Report build_report(const Scenario& s, const RunInputs& in);

}  // namespace bc::netsim
