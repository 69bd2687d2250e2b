// What a run leaves for the report, in RUN_DIR:
//   links.json  the emulator's stats (EmulatorThread::stats_json(): {"links":
//               {"<branch>": {"series_interval_ms", "a_to_b", "b_to_a"}}},
//               a_to_b = up (branch side is A), b_to_a = down);
//   nodes.json  {"nodes": [{"name", "bytes_by_source": {"wan": n, "lan": n,
//               "local": n}, "completions": [{"layer", "version", "done_ms"}]}],
//               "interactive": [{"branch", "flow", "latency_ms": [..], "t_ms": [..]}],
//               "window_changes": [{"branch", "at_ms", "end_ms", "cap_before_bytes_per_s",
//               "cap_after_bytes_per_s"}]}  (t_ms and window_changes optional)
//               written by the orchestrator from the agents' reports.
//   content.json  optional (report/content_facts.hpp): what the run's layers
//               hold, raw and on the wire; runs made before it lack it.
// Parsing is bounded and every error names the field.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/util/status.hpp"
#include "netsim/report/content_facts.hpp"

namespace bc::netsim {

inline constexpr std::size_t kMaxRunInputBytes = 256u << 20;
inline constexpr std::size_t kMaxReportNodes = 20'000;
inline constexpr std::size_t kMaxCompletionsPerNode = 1'000;
inline constexpr std::size_t kMaxSeriesPoints = 1'000'000;

struct DirectionData {
  std::uint64_t bytes_out = 0;
  std::uint64_t drops = 0;  // queue full + random loss
  // By traffic class (the emulator's "bytes_by_class"; absent in older runs:
  // has_classes false and these 0): the BitTorrent stream bytes, and the IP
  // bytes of BitTorrent and of tracker (HTTP) traffic.
  bool has_classes = false;
  std::uint64_t bt_payload_bytes = 0, bt_ip_bytes = 0, tracker_ip_bytes = 0;
  double queue_delay_p50_ms = 0, queue_delay_p95_ms = 0, queue_delay_p99_ms = 0;
  std::vector<std::int64_t> t_ms;              // end of each interval
  std::vector<std::uint64_t> bytes;            // delivered in the interval
  std::vector<std::int64_t> max_queue_delay_us;
  std::uint64_t rate_bytes_per_s = 0;  // config; 0 = unknown
  // Optional series (older runs lack them: empty), same length as t_ms:
  std::vector<std::int64_t> mean_queue_delay_us;   // mean queue delay of packets queued in the interval
  std::vector<std::uint64_t> payload_bytes;        // L4 payload delivered
  std::vector<std::uint64_t> xt_bytes;             // IP bytes from/to the cross-traffic node
  std::vector<std::uint64_t> xt_payload_bytes;     // their L4 payload
  // Per point: the cross traffic's packets queued in it, {whole ms of queue
  // delay, packets}; empty for runs made before it was recorded.
  std::vector<std::vector<std::pair<std::int32_t, std::uint32_t>>> xt_queue_delay_ms;
  // Likewise, what the rest of the traffic added to those delays (their delay
  // minus the delay in a queue of the cross traffic alone).
  std::vector<std::vector<std::pair<std::int32_t, std::uint32_t>>> xt_added_delay_ms;
};

struct LinkData {
  std::string branch;
  std::int64_t interval_ms = 1000;
  DirectionData up, down;
};

struct Completion {
  std::string layer;
  int version = 1;
  std::int64_t done_ms = 0;  // since the run started
};

struct NodeData {
  std::string name;
  std::map<std::string, std::uint64_t> bytes_by_source;  // "wan", "lan", "local", ...
  std::vector<Completion> completions;
};

struct InteractiveData {
  std::string branch;
  int flow = 0;
  std::vector<double> latency_ms;
  std::vector<double> t_ms;  // send time of each sample, run clock; empty = unknown
};

// A cap_window's boundary as the orchestrator wrote it (nodes.json "window_changes").
struct WindowChangeData {
  std::string branch;
  std::int64_t at_ms = 0;   // the boundary on the run clock
  std::int64_t end_ms = 0;  // the window's end
  std::int64_t cap_before_bytes_per_s = 0;  // 0 = none
  std::int64_t cap_after_bytes_per_s = 0;
};

struct RunInputs {
  std::vector<LinkData> links;
  std::vector<NodeData> nodes;
  std::vector<InteractiveData> interactive;
  std::vector<WindowChangeData> window_changes;
  // The layers' content facts; nullopt when the run has no content.json (the
  // report then counts new content from the scenario's numbers).
  std::optional<ContentFacts> content;
};

Result<RunInputs> parse_run_inputs(const nlohmann::json& links, const nlohmann::json& nodes);
// Reads RUN_DIR/links.json and RUN_DIR/nodes.json, and RUN_DIR/content.json
// when it exists.
Result<RunInputs> load_run_inputs(const std::string& run_dir);

}  // namespace bc::netsim
