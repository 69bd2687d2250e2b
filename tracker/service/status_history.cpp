#include "tracker/service/status_history.hpp"

#include <algorithm>

namespace bc::tracker {

using nlohmann::json;

void StatusHistory::record(const std::string& branch, StatusSample s) {
  while (s.layers.size() > options_.max_layers) s.layers.erase(std::prev(s.layers.end()));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = branches_.find(branch);
  if (it == branches_.end()) {
    if (branches_.size() >= options_.max_branches) {
      ++dropped_;
      return;
    }
    it = branches_.emplace(branch, std::deque<StatusSample>{}).first;
  }
  auto& q = it->second;
  while (!q.empty() && q.back().time >= s.time) q.pop_back();
  q.push_back(std::move(s));
  bool known = false;
  q.back().wan_rate_bytes_per_s = rate_over_window(q, nullptr, &known);
  const int64_t oldest = q.back().time - options_.keep_s;
  while (!q.empty() && (q.front().time < oldest || q.size() > options_.max_samples)) q.pop_front();
}

void StatusHistory::retain(const std::set<std::string>& alive) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(branches_, [&](const auto& kv) { return !alive.count(kv.first); });
}

std::vector<StatusSample> StatusHistory::since(const std::string& branch, int64_t since_unix_s) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StatusSample> out;
  auto it = branches_.find(branch);
  if (it == branches_.end()) return out;
  for (const auto& s : it->second)
    if (s.time >= since_unix_s) out.push_back(s);
  return out;
}

double StatusHistory::wan_rate(const std::string& branch) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = branches_.find(branch);
  return it == branches_.end() || it->second.empty() ? 0.0 : it->second.back().wan_rate_bytes_per_s;
}

std::optional<double> StatusHistory::layer_rate(const std::string& branch, const std::string& ref) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = branches_.find(branch);
  if (it == branches_.end()) return std::nullopt;
  bool known = false;
  double r = rate_over_window(it->second, &ref, &known);
  if (!known) return std::nullopt;
  return r;
}

size_t StatusHistory::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

// Growth of a cumulative counter (the WAN bytes, or `ref`'s bytes_done) from
// the oldest sample inside the window to the newest, per second. Counters
// fall when a node restarts (its counts are since its start) or leaves the
// stack; a fall is no negative rate, it reads as 0.
double StatusHistory::rate_over_window(const std::deque<StatusSample>& q, const std::string* ref,
                                       bool* known) const {
  *known = false;
  if (q.size() < 2) return 0.0;
  auto value = [&](const StatusSample& s) -> std::optional<int64_t> {
    if (!ref) return s.wan_bytes;
    auto l = s.layers.find(*ref);
    if (l == s.layers.end()) return std::nullopt;
    return l->second.bytes_done;
  };
  const StatusSample& last = q.back();
  auto b = value(last);
  if (!b) return 0.0;
  // The oldest sample inside the window that holds the counter (a layer
  // newly assigned appears part-way through it).
  for (const auto& s : q) {
    if (s.time < last.time - options_.rate_window_s) continue;
    if (s.time >= last.time) break;
    auto a = value(s);
    if (!a) continue;
    *known = true;
    return std::max(0.0, double(*b - *a) / double(last.time - s.time));
  }
  return 0.0;
}

json sample_json(const StatusSample& s) {
  json layers = json::object();
  for (const auto& [ref, c] : s.layers)
    layers[ref] = {{"done", c.done}, {"total", c.total}, {"bytes_done", c.bytes_done}, {"bytes_total", c.bytes_total}};
  return {{"time", s.time}, {"wan_bytes", s.wan_bytes}, {"wan_rate_bytes_per_s", s.wan_rate_bytes_per_s},
          {"layers", std::move(layers)}};
}

std::optional<double> eta_s(int64_t remaining_bytes, std::optional<double> rate_bytes_per_s) {
  if (remaining_bytes <= 0) return 0.0;
  if (!rate_bytes_per_s || *rate_bytes_per_s <= 0) return std::nullopt;
  return double(remaining_bytes) / *rate_bytes_per_s;
}

}  // namespace bc::tracker
