#include "tracker/metrics/tracker_metrics.hpp"

namespace bc::tracker {

TrackerMetrics::TrackerMetrics()
    : bounds_s_{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60} {}

namespace {
template <class Map, class Key>
typename Map::mapped_type& slot(Map& m, Key key, Key other) {
  auto it = m.find(key);
  if (it != m.end()) return it->second;
  if (m.size() >= TrackerMetrics::kMaxSeries) return m[other];
  return m[key];
}
}  // namespace

void TrackerMetrics::record_request(const std::string& route, const std::string& method, int status,
                                    double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  slot(requests_, std::make_tuple(route, method, status), std::make_tuple(std::string("other"), std::string("other"), 0))++;
  Histo& h = slot(latency_, route, std::string("other"));
  if (h.counts.empty()) h.counts.assign(bounds_s_.size() + 1, 0);
  size_t i = 0;
  while (i < bounds_s_.size() && seconds > bounds_s_[i]) ++i;
  h.counts[i]++;
  h.sum += seconds;
}

void TrackerMetrics::record_announce(const std::string& branch, const std::string& event) {
  std::lock_guard<std::mutex> lock(mu_);
  slot(announces_, std::make_pair(branch, event), std::make_pair(std::string("other"), std::string("other")))++;
}

void TrackerMetrics::record_forbidden(const std::string& route, uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  slot(forbidden_, route, std::string("other")) += n;
}

void TrackerMetrics::set_branch_peers(const std::string& branch, int64_t peers) {
  std::lock_guard<std::mutex> lock(mu_);
  slot(branch_peers_, branch, std::string("other")) = peers;
}

void TrackerMetrics::add_origin_bytes(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  origin_bytes_ += bytes;
}

void TrackerMetrics::set_server_gauges(std::function<HttpServerGauges()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  server_gauges_ = std::move(fn);
}

void TrackerMetrics::write(Exposition& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  out.family("bc_tracker_http_requests_total", "counter", "HTTP requests by route, method and status.");
  for (const auto& [k, n] : requests_)
    out.sample("bc_tracker_http_requests_total",
               {{"route", std::get<0>(k)}, {"method", std::get<1>(k)}, {"status", std::to_string(std::get<2>(k))}},
               static_cast<double>(n));
  out.family("bc_tracker_http_request_seconds", "histogram", "HTTP request handling time by route.");
  for (const auto& [route, h] : latency_)
    out.histogram("bc_tracker_http_request_seconds", {{"route", route}}, bounds_s_, h.counts, h.sum);
  out.family("bc_tracker_announces_total", "counter", "BitTorrent announces by branch and event.");
  for (const auto& [k, n] : announces_)
    out.sample("bc_tracker_announces_total", {{"branch", k.first}, {"event", k.second}}, static_cast<double>(n));
  out.family("bc_tracker_forbidden_total", "counter",
             "Requests refused (scrape: hashes left out) because the node is not entitled to the layer, by route.");
  for (const auto& [route, n] : forbidden_)
    out.sample("bc_tracker_forbidden_total", {{"route", route}}, static_cast<double>(n));
  out.family("bc_tracker_branch_peers", "gauge", "Peers known to the tracker by branch.");
  for (const auto& [b, n] : branch_peers_)
    out.sample("bc_tracker_branch_peers", {{"branch", b}}, static_cast<double>(n));
  out.family("bc_tracker_origin_upload_bytes_total", "counter", "Payload bytes uploaded by the origin seed.");
  out.sample("bc_tracker_origin_upload_bytes_total", {}, static_cast<double>(origin_bytes_));
  if (!server_gauges_) return;
  HttpServerGauges g = server_gauges_();
  out.family("bc_tracker_http_connections", "gauge", "Open HTTP connections.");
  out.sample("bc_tracker_http_connections", {}, g.connections);
  out.family("bc_tracker_http_long_polls", "gauge", "Long polls held waiting for a change.");
  out.sample("bc_tracker_http_long_polls", {}, g.long_polls);
  out.family("bc_tracker_http_long_polls_abandoned_total", "counter",
             "Long polls released early because the client closed the connection.");
  out.sample("bc_tracker_http_long_polls_abandoned_total", {}, static_cast<double>(g.abandoned_long_polls));
  out.family("bc_tracker_http_long_polls_refused_total", "counter",
             "Long polls answered 503 because limits.max_long_polls were held.");
  out.sample("bc_tracker_http_long_polls_refused_total", {}, static_cast<double>(g.refused_long_polls));
}

}  // namespace bc::tracker
