// GET /api/v1/status/rollout and /api/v1/status/history (viewer or more).
// Both answer with an ETag and honour If-None-Match, so a console or
// `bcctl rollout status --watch` polling every second costs one aggregation
// and no body when nothing moved.
#include "tracker/api/rollout_api.hpp"

#include <memory>
#include <mutex>

#include "layers/crypto/sha256.hpp"
#include "layers/util/hex.hpp"
#include "tracker/api/api_route.hpp"
#include "tracker/service/records.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

Status load_branches(const Txn& t, int64_t live_since_s, RolloutInputs& in) {
  std::map<std::string, RolloutBranch> branches;
  BC_RETURN_IF_ERROR(t.scan(Table::branches, "", [&](std::string_view k, std::string_view v) {
    json r = json::parse(v, nullptr, false);
    RolloutBranch& b = branches[std::string(k)];
    b.name = std::string(k);
    if (r.is_object() && r.contains("wan_policy")) b.wan_policy = r["wan_policy"];
    return true;
  }));
  BC_RETURN_IF_ERROR(t.scan(Table::reflectors, "", [&](std::string_view k, std::string_view v) {
    json r = json::parse(v, nullptr, false);
    if (!r.is_object()) return true;
    RolloutNode n{std::string(k), "reflector", r.value("branch", ""), {}, nullptr};
    RolloutBranch& b = branches[n.branch];
    b.name = n.branch;
    ++b.reflectors_total;
    if (r.value("last_heartbeat", int64_t{0}) >= live_since_s) ++b.reflectors_alive;
    in.nodes.push_back(std::move(n));
    return true;
  }));
  for (auto& [name, b] : branches) in.branches.push_back(std::move(b));
  return Status();
}

Status load_endpoints(const Txn& t, RolloutInputs& in) {
  BC_ASSIGN_OR_RETURN(AssignmentView view, load_assignment_view(t));
  BC_ASSIGN_OR_RETURN(auto by_branch, load_endpoints_by_branch(t));
  for (const auto& [branch, endpoints] : by_branch)
    for (const auto& e : endpoints) {
      RolloutNode n{e.id, "endpoint", e.branch, {}, nullptr};
      for (const auto& l : effective_stack(e, view).layers) n.desired[l.ref.to_string()] = int64_t(l.total_bytes);
      in.nodes.push_back(std::move(n));
    }
  std::map<std::string, RolloutNode*> by_id;
  for (auto& n : in.nodes) by_id[n.id] = &n;
  return t.scan(Table::status, "", [&](std::string_view k, std::string_view v) {
    auto it = by_id.find(std::string(k));
    if (it == by_id.end()) return true;  // a report of a node since deleted
    json r = json::parse(v, nullptr, false);
    if (r.is_object()) it->second->report = std::move(r);
    return true;
  });
}

// 200 with the body and an ETag over `etag_basis`, or 304 when the client
// already holds it.
HttpResponse with_etag(const HttpRequest& req, const json& body, const json& etag_basis) {
  const std::string basis = etag_basis.dump();
  auto digest = sha256({reinterpret_cast<const uint8_t*>(basis.data()), basis.size()});
  const std::string etag = "\"" + to_hex(digest).substr(0, 32) + "\"";
  HttpResponse res = HttpResponse::json(200, body);
  res.headers.emplace_back("ETag", etag);
  res.headers.emplace_back("Cache-Control", "no-cache");
  if (req.header("if-none-match") == etag) {
    res.status = 304;
    res.body.clear();
  }
  return res;
}

// The last rollout answer, reused for kRolloutReuseMs: the aggregation reads
// every endpoint and report (about 30 ms per 1,000 endpoints), so however
// many consoles and watchers poll, the tracker computes it at most once per
// window; pollers arriving together wait for the one computing it.
struct RolloutCache {
  std::mutex mu;
  int64_t computed_ms = 0;
  bool valid = false;
  json body;
};
constexpr int64_t kRolloutReuseMs = 1000;

HttpResponse rollout(ApiContext& ctx, StatusHistory& history, RolloutCache& cache, const HttpRequest& req) {
  std::lock_guard<std::mutex> lock(cache.mu);
  const int64_t now_ms = ctx.clock.now_ms();
  if (!cache.valid || now_ms - cache.computed_ms >= kRolloutReuseMs || now_ms < cache.computed_ms) {
    auto in = load_rollout_inputs(ctx);
    if (!in.ok()) return HttpResponse::from_status(in.status());
    cache.body = rollout_json(*in, tally_rollout(*in), history);
    cache.computed_ms = now_ms;
    cache.valid = true;
  }
  json basis = cache.body;
  basis.erase("time");  // the clock alone moving is no change worth a body
  return with_etag(req, cache.body, basis);
}

HttpResponse history_route(ApiContext& ctx, StatusHistory& history, const HttpRequest& req) {
  const std::string* branch = req.query_param("branch");
  if (!branch || branch->empty()) return HttpResponse::error(400, "branch: the query needs ?branch=NAME");
  int64_t since = 0;
  if (const auto* s = req.query_param("since")) {
    try {
      size_t used = 0;
      since = std::stoll(*s, &used);
      if (used != s->size() || since < 0) throw std::invalid_argument("trailing");
    } catch (...) {
      return HttpResponse::error(400, "since must be a non-negative integer (unix seconds)");
    }
  }
  auto rec = get_record(ctx, Table::branches, *branch, "branch");
  if (!rec.ok()) return HttpResponse::from_status(rec.status());
  json samples = json::array();
  for (const auto& s : history.since(*branch, since)) samples.push_back(sample_json(s));
  json body = {{"branch", *branch}, {"samples", std::move(samples)}};
  return with_etag(req, body, body);
}

}  // namespace

Result<RolloutInputs> load_rollout_inputs(ApiContext& ctx) {
  RolloutInputs in;
  in.now_unix_s = ctx.clock.unix_s();
  BC_RETURN_IF_ERROR(ctx.store.read([&](const Txn& t) -> Status {
    BC_RETURN_IF_ERROR(load_branches(t, in.now_unix_s - ctx.limits.reflector_live_s, in));
    return load_endpoints(t, in);
  }));
  return in;
}

Status sample_rollout(ApiContext& ctx, StatusHistory& history) {
  BC_ASSIGN_OR_RETURN(RolloutInputs in, load_rollout_inputs(ctx));
  std::set<std::string> names;
  for (const auto& [name, t] : tally_rollout(in)) {
    history.record(name, tally_sample(t, in.now_unix_s));
    names.insert(name);
  }
  history.retain(names);
  return Status();
}

void add_rollout_routes(Router& router, ApiContext& ctx, StatusHistory& history) {
  const Access viewer = Access::admin(Role::viewer);
  StatusHistory* h = &history;
  auto cache = std::make_shared<RolloutCache>();
  add_routes(router, ctx, {
      {"GET", "/api/v1/status/rollout", viewer,
       RawHandler([h, cache](ApiContext& c, const Principal&, HttpRequest& req) { return rollout(c, *h, *cache, req); })},
      {"GET", "/api/v1/status/history", viewer,
       RawHandler([h](ApiContext& c, const Principal&, HttpRequest& req) { return history_route(c, *h, req); })},
  });
}

}  // namespace bc::tracker
