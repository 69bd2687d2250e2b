// What the orchestrator learns from the nodes' status reports (as the tracker
// keeps them, GET /api/v1/status/nodes/<id>): when each layer completed on
// each node, and the payload bytes by source. Pure: observe() takes a report
// and the run's clock; nodes_json() is the run report's nodes.json.
//
// Completion time = the first observation in which the layer is complete or
// applied, so it is late by at most the poll period plus the node's report
// delay (reports queued while the tracker was down arrive when it is back).
// Byte counters restart when a node restarts; a counter that goes down is
// taken as a restart and the previous total is kept.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "netsim/report/run_inputs.hpp"  // InteractiveData: the record nodes.json carries

namespace bc::netsim {

struct BookEntry {
  std::string name, branch;
  bool endpoint = true;
  std::map<std::string, std::int64_t> done_ms;         // "name@version" -> first seen complete
  std::map<std::string, std::uint64_t> bytes_base;     // totals of earlier process lives
  std::map<std::string, std::uint64_t> bytes_current;  // "origin", "reflector", "peer" of this life
  std::int64_t last_report_ms = -1;
  std::uint64_t bytes(const std::string& source) const;
};

class NodeBook {
 public:
  void add_node(const std::string& name, const std::string& branch, bool endpoint);
  // Takes one status record (the tracker's copy of the node's last report).
  // Unknown names and malformed fields are ignored.
  void observe(const std::string& name, const nlohmann::json& status, std::int64_t now_ms);

  // True when every endpoint of `branch` has completed every ref in `refs`.
  bool branch_done(const std::string& branch, const std::vector<std::string>& refs) const;
  // Σ bytes by source ("origin", "reflector", "peer") of a branch's nodes.
  std::map<std::string, std::uint64_t> branch_bytes(const std::string& branch) const;

  // {"nodes": [{"name", "bytes_by_source": {"wan", "lan", "local"},
  //   "completions": [{"layer", "version", "done_ms"}]}], "interactive": [...]}
  // wan = from the origin (outside the branch), lan = from reflectors and
  // branch peers. local (seeded from held content) is not reported by the
  // nodes and is written as 0.
  nlohmann::json nodes_json(const std::vector<InteractiveData>& interactive) const;

  const std::vector<BookEntry>& entries() const { return entries_; }

 private:
  BookEntry* find(const std::string& name);
  std::vector<BookEntry> entries_;
};

}  // namespace bc::netsim
