// The rollout's recent past, in memory: a ring buffer of samples per branch
// (WAN bytes, per-layer progress) that the tracker fills every
// [status] sample_interval_s, and the rates and ETAs derived from it. Lost at
// restart by design: it serves live views (bcctl rollout status --watch, the
// console's charts), not accounting. Thread-safe; holds no clock (callers
// pass sample times), so tests drive it with any times they like.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bc::tracker {

// Progress of one layer in one branch at one time (endpoints only).
struct LayerCounts {
  int64_t done = 0;         // endpoints whose report says complete or applied
  int64_t total = 0;        // endpoints whose desired stack holds the layer
  int64_t bytes_done = 0;   // sum over those endpoints
  int64_t bytes_total = 0;  // sum over those endpoints
  bool operator==(const LayerCounts&) const = default;
};

struct StatusSample {
  int64_t time = 0;                 // unix seconds
  int64_t wan_bytes = 0;            // the branch's nodes' cumulative bytes from the origin
  double wan_rate_bytes_per_s = 0;  // filled by record(): wan_rate over the rate window
  std::map<std::string, LayerCounts> layers;  // "name@version" -> counts
};

struct StatusHistoryOptions {
  int64_t keep_s = 3600;         // samples older than this (from the newest) are dropped; default 1 h
  int64_t rate_window_s = 10;    // rates are taken over the samples of the last window; default 10 s
  size_t max_samples = 4096;     // per branch, whatever the times say; default 4096
  size_t max_branches = 4096;    // branches beyond are not sampled (counted in dropped()); default 4096
  size_t max_layers = 256;       // layers kept per sample (lowest refs first); default 256
};

class StatusHistory {
 public:
  explicit StatusHistory(StatusHistoryOptions o = {}) : options_(o) {}

  // Appends `s` for `branch`, filling its wan_rate_bytes_per_s, and drops
  // samples beyond keep_s / max_samples. A sample not newer than the branch's
  // latest replaces it (two samples in one second, or a clock step back).
  void record(const std::string& branch, StatusSample s);
  // Forgets every branch not in `alive` (a deleted branch).
  void retain(const std::set<std::string>& alive);

  // Samples of `branch` with time >= since_unix_s, oldest first.
  std::vector<StatusSample> since(const std::string& branch, int64_t since_unix_s) const;
  // The latest sample's WAN rate (0 without samples).
  double wan_rate(const std::string& branch) const;
  // Bytes per second at which `ref`'s bytes_done grew over the rate window;
  // nullopt with fewer than two samples in it.
  std::optional<double> layer_rate(const std::string& branch, const std::string& ref) const;
  size_t dropped() const;

 private:
  double rate_over_window(const std::deque<StatusSample>& q, const std::string* ref, bool* known) const;

  StatusHistoryOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::deque<StatusSample>> branches_;
  size_t dropped_ = 0;
};

// {"time", "wan_bytes", "wan_rate_bytes_per_s", "layers": {ref: {"done","total","bytes_done","bytes_total"}}}
nlohmann::json sample_json(const StatusSample& s);

// Seconds until `remaining_bytes` are moved at `rate` bytes/s: 0 when nothing
// remains, nullopt when the rate is unknown or not positive.
std::optional<double> eta_s(int64_t remaining_bytes, std::optional<double> rate_bytes_per_s);

}  // namespace bc::tracker
