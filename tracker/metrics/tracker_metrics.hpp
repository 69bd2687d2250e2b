// The tracker's in-process metrics: HTTP request counts and latency by route,
// plus named hooks the BitTorrent side (announce/scrape, origin seed) feeds.
// Gauges that mirror stored state (layers, endpoints, per-branch bytes) are
// computed at scrape time by the metrics API, not kept here. Thread-safe.
// Bounded: at most kMaxSeries distinct label sets per family; further ones
// are folded into label value "other".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "tracker/metrics/exposition.hpp"

namespace bc::tracker {

class TrackerMetrics {
 public:
  static constexpr size_t kMaxSeries = 2048;
  TrackerMetrics();

  void record_request(const std::string& route, const std::string& method, int status,
                      double seconds);

  // Hooks for the BitTorrent tracker and origin seed (issue 3, bt half):
  // an announce from a node in `branch` with `event` (started, completed,
  // stopped, or "" for a regular one).
  void record_announce(const std::string& branch, const std::string& event);
  // `n` requests (or scrape hashes) refused because the node is not
  // entitled to the layer, by route ("manifest", "torrent", "announce",
  // "scrape", ...): bc_tracker_forbidden_total{route}.
  void record_forbidden(const std::string& route, uint64_t n = 1);
  // Peers currently known for torrents in `branch`.
  void set_branch_peers(const std::string& branch, int64_t peers);
  // Payload bytes the origin seed uploaded.
  void add_origin_bytes(uint64_t bytes);

  // The HTTP server's own state, read at scrape time through `fn` (set once
  // the server runs; fn must be cheap and thread-safe, it runs under the lock).
  struct HttpServerGauges {
    uint32_t connections = 0;
    uint32_t long_polls = 0;              // held right now
    uint64_t abandoned_long_polls = 0;    // released early: the client closed while parked
    uint64_t refused_long_polls = 0;      // answered 503: limits.max_long_polls were held
  };
  void set_server_gauges(std::function<HttpServerGauges()> fn);

  // Appends every family this object holds.
  void write(Exposition& out) const;

 private:
  mutable std::mutex mu_;
  std::vector<double> bounds_s_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  struct Histo {
    std::vector<uint64_t> counts;
    double sum = 0;
  };
  std::map<std::string, Histo> latency_;
  std::map<std::pair<std::string, std::string>, uint64_t> announces_;
  std::map<std::string, int64_t> branch_peers_;
  std::map<std::string, uint64_t> forbidden_;
  uint64_t origin_bytes_ = 0;
  std::function<HttpServerGauges()> server_gauges_;
};

}  // namespace bc::tracker
