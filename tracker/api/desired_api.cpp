// Desired state polls (ETag + long poll) and status reports from nodes.
#include <algorithm>

#include "layers/crypto/sha256.hpp"
#include "layers/governor/budget_split.hpp"
#include "layers/util/hex.hpp"
#include "tracker/api/api_context.hpp"
#include "tracker/api/api_route.hpp"
#include "tracker/api/json_input.hpp"
#include "tracker/service/records.hpp"
#include "tracker/service/status_summary.hpp"
#include "tracker/service/wan_share.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

json layer_json(const LayerInfo& l) {
  return {{"ref", l.ref.to_string()}, {"kind", to_string(l.kind)}, {"info_hash", l.info_hash},
          {"total_bytes", l.total_bytes}};
}

// What a node of `branch` needs to class its peers (DESIGN §4): the branch's
// subnets (LAN class) and the addresses of its live reflectors (bytes from
// them count as "reflector"; live = heartbeat within [announce] reflector_live_s,
// the BitTorrent tracker's rule), plus the branch's WAN policy document.
Status add_branch_facts(const Txn& t, const std::string& branch, int64_t live_since_s, json& out) {
  json lan = {{"subnets", json::array()}, {"reflectors", json::array()}};
  BC_ASSIGN_OR_RETURN(json rec, get_json(t, Table::branches, branch));
  if (rec.is_object()) {
    if (rec.contains("subnets") && rec["subnets"].is_array()) lan["subnets"] = rec["subnets"];
    if (rec.contains("wan_policy") && rec["wan_policy"].is_object() && !rec["wan_policy"].empty())
      out["wan_policy"] = rec["wan_policy"];
  }
  std::vector<std::string> live;
  BC_RETURN_IF_ERROR(t.scan(Table::reflectors, "", [&](std::string_view, std::string_view v) {
    json r = json::parse(v, nullptr, false);
    if (r.is_object() && r.value("branch", "") == branch && r.value("last_heartbeat", int64_t{0}) >= live_since_s &&
        r.contains("address") && r["address"].is_string())
      live.push_back(r["address"].get<std::string>());
    return live.size() < 256;  // a branch has a handful; bounded all the same
  }));
  std::sort(live.begin(), live.end());
  live.erase(std::unique(live.begin(), live.end()), live.end());
  lan["reflectors"] = live;
  out["lan"] = std::move(lan);
  return Status();
}

// A reflector's share of the branch's WAN caps among the branch's live
// reflectors (heartbeat within [bt] reflector_live_s), split by the demand
// each reported with its heartbeat (tracker/service/wan_share.hpp).
Result<double> wan_share(const Txn& t, const std::string& branch, const std::string& self, int64_t live_since_s,
                         int64_t now_s, const json& policy) {
  std::vector<LiveReflector> live;
  BC_RETURN_IF_ERROR(t.scan(Table::reflectors, "", [&](std::string_view id, std::string_view v) {
    json r = json::parse(v, nullptr, false);
    if (r.is_object() && r.value("branch", "") == branch && r.value("last_heartbeat", int64_t{0}) >= live_since_s) {
      const json& d = r.contains("wan_demand_bytes_per_s") ? r["wan_demand_bytes_per_s"] : json(0);
      live.push_back({std::string(id), d.is_number_integer() ? d.get<int64_t>() : 0});
    }
    return live.size() < governor::kMaxReflectorsPerBranch;
  }));
  return reflector_wan_share(policy, now_s, std::move(live), self);
}

// Per layer, the web seed URLs with this node's token (docs/security.md,
// "Web seeds"): only for layers in the answer, which the node is entitled to.
void add_layer_web_seeds(const ApiContext& ctx, const Principal& who, const std::string& host,
                         const std::vector<LayerInfo>& layers, json& out) {
  if (!ctx.web_seed_urls) return;
  json seeds = json::object();
  for (const auto& l : layers) {
    if (l.info_hash.empty()) continue;
    auto urls = ctx.web_seed_urls(who.id, l.info_hash, host);
    if (!urls.empty()) seeds[l.info_hash] = std::move(urls);
  }
  if (!seeds.empty()) out["layer_web_seeds"] = std::move(seeds);
}

Result<json> desired_body(ApiContext& ctx, const Principal& who, const std::string& host) {
  json out = {{"node", who.id}, {"role", who.node_role}};
  if (ctx.probe_port != 0) out["probe_port"] = ctx.probe_port;   // RTT echo on the tracker's host
  BC_RETURN_IF_ERROR(ctx.store.read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(AssignmentView view, load_assignment_view(t));
    if (who.node_role == "endpoint") {
      BC_ASSIGN_OR_RETURN(json rec, get_json(t, Table::endpoints, who.id));
      BC_ASSIGN_OR_RETURN(EndpointFacts e, endpoint_from_json(rec));
      DesiredStack d = effective_stack(e, view);
      out["branch"] = e.branch;
      BC_RETURN_IF_ERROR(add_branch_facts(t, e.branch, ctx.clock.unix_s() - ctx.limits.reflector_live_s, out));
      // No live reflector: the endpoint falls back to the origin across the
      // WAN, like every endpoint of its branch; they split the branch's caps.
      const json& lan = out.contains("lan") ? out["lan"] : json::object();
      if (!lan.contains("reflectors") || lan["reflectors"].empty()) {
        BC_ASSIGN_OR_RETURN(auto peers, load_branch_endpoints(t, e.branch));
        out["wan_share"] = endpoint_wan_share(peers.size());
      }
      out["announce_key"] = rec.value("announce_key", "");
      out["announce_path"] = "/announce?bckey=" + rec.value("announce_key", "");
      out["source"] = d.source;
      out["stack"] = json::array();
      for (const auto& l : d.layers) out["stack"].push_back(layer_json(l));
      add_layer_web_seeds(ctx, who, host, d.layers, out);
      out["skipped"] = json::array();
      for (const auto& s : d.skipped) out["skipped"].push_back({{"ref", s.ref.to_string()}, {"reason", s.reason}});
      return Status();
    }
    BC_ASSIGN_OR_RETURN(json rec, get_json(t, Table::reflectors, who.id));
    std::string branch = rec.value("branch", "");
    out["branch"] = branch;
    const int64_t live_since_s = ctx.clock.unix_s() - ctx.limits.reflector_live_s;
    BC_RETURN_IF_ERROR(add_branch_facts(t, branch, live_since_s, out));
    BC_ASSIGN_OR_RETURN(double share, wan_share(t, branch, who.id, live_since_s, ctx.clock.unix_s(),
                                                out.value("wan_policy", json::object())));
    out["wan_share"] = share;
    out["announce_key"] = rec.value("announce_key", "");
    out["announce_path"] = "/announce?bckey=" + rec.value("announce_key", "");
    out["layers"] = json::array();
    BC_ASSIGN_OR_RETURN(const auto layers, load_reflector_layers(t, branch, view));
    for (const auto& l : layers) out["layers"].push_back(layer_json(l));
    add_layer_web_seeds(ctx, who, host, layers, out);
    return Status();
  }));
  return out;
}

HttpResponse desired(ApiContext& ctx, const Principal& who, const HttpRequest& req) {
  int64_t wait_s = 0;
  if (const auto* w = req.query_param("wait")) {
    // Digits only: stoll alone would take " 5" and "+5".
    if (w->empty() || w->size() > 9 || w->find_first_not_of("0123456789") != std::string::npos)
      return HttpResponse::error(400, "wait must be an integer number of seconds");
    wait_s = std::stoll(*w);
    if (wait_s < 0 || wait_s > ctx.limits.max_long_poll_s)
      return HttpResponse::error(400, "wait must be 0.." + std::to_string(ctx.limits.max_long_poll_s) + " seconds");
  }
  uint64_t generation = ctx.store.generation();  // before the read: a later change wakes us
  auto body = desired_body(ctx, who, req.header("host"));
  if (!body.ok()) return HttpResponse::from_status(body.status());
  HttpResponse res = HttpResponse::json(200, *body);
  auto digest = sha256({reinterpret_cast<const uint8_t*>(res.body.data()), res.body.size()});
  std::string etag = "\"" + to_hex(digest).substr(0, 32) + "\"";
  res.headers.emplace_back("ETag", etag);
  res.headers.emplace_back("Cache-Control", "no-cache");
  if (req.header("if-none-match") == etag) {
    res.status = 304;
    res.body.clear();
    res.long_poll_ms = wait_s * 1000;
    res.generation = generation;
  }
  return res;
}

Result<json> report_status(ApiContext& ctx, const Principal& who, const HttpRequest& req) {
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits));
  BC_ASSIGN_OR_RETURN(json rec, validate_status_report(body, ctx.limits));
  rec["node"] = who.id;
  rec["role"] = who.node_role;
  rec["received_at"] = ctx.clock.unix_s();
  BC_RETURN_IF_ERROR(ctx.store.write(
      [&](Txn& t) -> Status {
        Table table = who.node_role == "reflector" ? Table::reflectors : Table::endpoints;
        BC_ASSIGN_OR_RETURN(json node, get_json(t, table, who.id));
        rec["branch"] = node.is_object() ? node.value("branch", "") : "";
        return put_json(t, Table::status, who.id, rec);
      },
      Store::Notify::no));
  return json{{"accepted", true}, {"received_at", rec["received_at"]}};
}

// The status reports of every node, summed per branch.
HttpResponse branch_summary(ApiContext& ctx, const Principal&, HttpRequest&) {
  auto all = list_records(ctx, Table::status);
  if (!all.ok()) return HttpResponse::from_status(all.status());
  std::vector<json> reports;
  for (json& j : *all)
    if (j.is_object()) reports.push_back(std::move(j));
  return HttpResponse::json(200, summarize_branches(reports));
}

Result<json> node_status(ApiContext& ctx, const Principal&, const HttpRequest& req) {
  const std::string& id = req.params.at("id");
  json rec;
  BC_RETURN_IF_ERROR(ctx.store.read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(rec, get_json(t, Table::status, id));
    return Status();
  }));
  if (rec.is_null()) return Status::not_found("no status report from node '" + id + "'");
  return rec;
}

}  // namespace

void add_desired_routes(Router& router, ApiContext& ctx) {
  const Access node = Access::node(true), viewer = Access::admin(Role::viewer);
  add_routes(router, ctx, {
      {"GET", "/api/v1/desired", node, RawHandler(desired)},
      {"POST", "/api/v1/status", node, report_status},
      {"GET", "/api/v1/status/nodes/{id}", viewer, node_status},
      {"GET", "/api/v1/status/branches", viewer, RawHandler(branch_summary)},
  });
}

}  // namespace bc::tracker
