#include "tracker/app/bt_frontend.hpp"

#include <map>

namespace bc::tracker {

namespace {

std::string_view raw_query(const std::string& target) {
  auto q = target.find('?');
  return q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1);
}

HttpResponse bencoded(std::string body) {
  HttpResponse res;
  res.status = 200;  // BEP 3: failures are bencoded `failure reason`s with 200
  res.content_type = "text/plain";
  res.body = std::move(body);
  return res;
}

bt::IpAddress source_of(const HttpRequest& req) {
  auto ip = bt::IpAddress::parse(req.remote_address);
  return ip ? *ip : bt::IpAddress::v4_from(0, 0, 0, 0);
}

// The `event` parameter of an announce, for the metric label.
std::string event_of(const HttpRequest& req) {
  const std::string* e = req.query_param("event");
  if (!e) return "";
  if (*e == "started" || *e == "completed" || *e == "stopped" || *e == "paused") return *e;
  return "";
}

}  // namespace

BtFrontend::BtFrontend(const Store& store, const Clock& clock, TrackerMetrics& metrics,
                       bt::BtServiceOptions options, StoreBtDirectoryOptions dir_options)
    : clock_(clock), metrics_(metrics), directory_(store, clock, dir_options),
      service_(std::move(options), directory_) {}

void BtFrontend::add_routes(Router& router) {
  router.add("GET", "/announce", [this](HttpRequest& req) { return announce(req); });
  router.add("GET", "/scrape", [this](HttpRequest& req) { return scrape(req); });
}

void BtFrontend::housekeeping(int64_t now_s) {
  if (now_s - last_expire_s_ >= kExpireEveryS) {
    service_.expire(now_s);
    last_expire_s_ = now_s;
  }
  if (now_s - last_peers_s_ >= kPeersRefreshS) {
    std::map<std::string, int64_t> per_branch;
    service_.registry().for_each_swarm([&](const bt::InfoHash&, const bt::Swarm& s) {
      s.for_each_branch([&](const bt::BranchId& b, auto peers) { per_branch[b] += int64_t(peers.size()); });
    });
    for (const auto& [b, n] : per_branch) metrics_.set_branch_peers(b, n);
    last_peers_s_ = now_s;
  }
}

// A store error leaves the parked set as it was (logged by no one: the next
// announce tries again).
void BtFrontend::park_lapsed(int64_t now_s) {
  if (now_s - last_lapsed_s_ < kLapsedEveryS) return;
  last_lapsed_s_ = now_s;
  auto lapsed = directory_.lapsed_reflectors();
  if (lapsed.ok()) service_.set_lapsed(*lapsed, now_s);
}

HttpResponse BtFrontend::announce(const HttpRequest& req) {
  int64_t now_s = clock_.unix_s();
  std::string body;
  std::optional<bt::NodeIdentity> who;
  uint64_t forbidden = 0;
  {
    std::lock_guard lock(mu_);
    park_lapsed(now_s);
    directory_.reset_last();
    uint64_t before = service_.counters().forbidden_announces;
    body = service_.announce(raw_query(req.target), source_of(req), now_s);
    forbidden = service_.counters().forbidden_announces - before;
    who = directory_.last_identity();
    housekeeping(now_s);
  }
  if (who) metrics_.record_announce(who->branch, event_of(req));
  if (forbidden) metrics_.record_forbidden("announce", forbidden);
  return bencoded(std::move(body));
}

HttpResponse BtFrontend::scrape(const HttpRequest& req) {
  int64_t now_s = clock_.unix_s();
  std::string body;
  uint64_t forbidden = 0;
  {
    std::lock_guard lock(mu_);
    directory_.reset_last();
    uint64_t before = service_.counters().forbidden_scrapes;
    body = service_.scrape(raw_query(req.target), source_of(req), now_s);
    forbidden = service_.counters().forbidden_scrapes - before;
  }
  if (forbidden) metrics_.record_forbidden("scrape", forbidden);
  return bencoded(std::move(body));
}

Result<bool> BtFrontend::entitled(const std::string& node_id, const std::string& role,
                                  const std::string& layer_ref) {
  std::lock_guard lock(mu_);
  return directory_.node_entitled(node_id, role, layer_ref);
}

bt::BtServiceCounters BtFrontend::counters() const {
  std::lock_guard lock(mu_);
  return service_.counters();
}

}  // namespace bc::tracker
