// Serves GET /announce and GET /scrape: BtService over the store
// (StoreBtDirectory), guarded by one mutex (BtService is single-threaded;
// handlers run on the server's worker threads). Feeds TrackerMetrics:
// announces by branch and event, peers per branch (refreshed at most every
// kPeersRefreshS), and drops idle peers (BtService::expire) at most every
// kExpireEveryS, both piggybacked on announces (no timer thread).
#pragma once

#include <limits>
#include <memory>
#include <mutex>

#include "layers/util/clock.hpp"
#include "tracker/bt/bt_service.hpp"
#include "tracker/http/router.hpp"
#include "tracker/metrics/tracker_metrics.hpp"
#include "tracker/service/bt_directory.hpp"

namespace bc::tracker {

class BtFrontend {
 public:
  static constexpr int64_t kExpireEveryS = 60;
  static constexpr int64_t kPeersRefreshS = 10;
  // Reflectors whose heartbeats lapsed are parked (BtService::set_lapsed)
  // before an announce is answered, at most this often, seconds.
  static constexpr int64_t kLapsedEveryS = 1;

  // REQUIRES: store, clock and metrics outlive the frontend; options valid.
  BtFrontend(const Store& store, const Clock& clock, TrackerMetrics& metrics,
             bt::BtServiceOptions options = {}, StoreBtDirectoryOptions dir_options = {});

  // Registers GET /announce and GET /scrape on `router`; the frontend must outlive it.
  void add_routes(Router& router);

  HttpResponse announce(const HttpRequest& req);
  HttpResponse scrape(const HttpRequest& req);
  // Whether the enrolled node `node_id` of `role` may read the layer
  // `layer_ref`: the announce's rule and cache
  // (StoreBtDirectory::node_entitled), for the layer API. Thread-safe.
  Result<bool> entitled(const std::string& node_id, const std::string& role, const std::string& layer_ref);
  bt::BtServiceCounters counters() const;

 private:
  void housekeeping(int64_t now_s);  // REQUIRES: mu_ held
  void park_lapsed(int64_t now_s);   // REQUIRES: mu_ held

  const Clock& clock_;
  TrackerMetrics& metrics_;
  mutable std::mutex mu_;
  StoreBtDirectory directory_;
  bt::BtService service_;
  int64_t last_expire_s_ = 0;
  int64_t last_peers_s_ = 0;
  int64_t last_lapsed_s_ = std::numeric_limits<int64_t>::min() / 2;
};

}  // namespace bc::tracker
