// GET /metrics (Prometheus text), GET /healthz, GET /api/v1/tracker.
#include "tracker/api/api_context.hpp"
#include "tracker/service/status_summary.hpp"
#include "tracker/store/migrations.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

Result<size_t> count_rows(const Txn& t, Table table, const std::function<bool(std::string_view)>& pred) {
  size_t n = 0;
  BC_RETURN_IF_ERROR(t.scan(table, "", [&](std::string_view, std::string_view v) {
    n += pred(v) ? 1 : 0;
    return true;
  }));
  return n;
}

Status state_gauges(ApiContext& ctx, Exposition& out) {
  size_t layers = 0, retired = 0, endpoints = 0, reflectors = 0;
  std::vector<json> reports;
  BC_RETURN_IF_ERROR(ctx.store.read([&](const Txn& t) -> Status {
    auto all = [](std::string_view) { return true; };
    BC_ASSIGN_OR_RETURN(layers, count_rows(t, Table::layers, all));
    BC_ASSIGN_OR_RETURN(retired, count_rows(t, Table::layers, [](std::string_view v) {
      return json::parse(v, nullptr, false).value("retired", false);
    }));
    BC_ASSIGN_OR_RETURN(endpoints, count_rows(t, Table::endpoints, all));
    BC_ASSIGN_OR_RETURN(reflectors, count_rows(t, Table::reflectors, all));
    return t.scan(Table::status, "", [&](std::string_view, std::string_view v) {
      json j = json::parse(v, nullptr, false);
      if (j.is_object()) reports.push_back(std::move(j));
      return true;
    });
  }));
  out.family("bc_tracker_layers", "gauge", "Published layers by state.");
  out.sample("bc_tracker_layers", {{"state", "active"}}, double(layers - retired));
  out.sample("bc_tracker_layers", {{"state", "retired"}}, double(retired));
  out.family("bc_tracker_endpoints", "gauge", "Enrolled endpoints.");
  out.sample("bc_tracker_endpoints", {}, double(endpoints));
  out.family("bc_tracker_reflectors", "gauge", "Registered reflectors.");
  out.sample("bc_tracker_reflectors", {}, double(reflectors));
  json branches = summarize_branches(reports);
  out.family("bc_tracker_branch_bytes", "gauge",
             "Payload bytes nodes of a branch report having received, by source (sum of latest reports).");
  for (auto it = branches.begin(); it != branches.end(); ++it)
    for (const char* src : kByteSources)
      out.sample("bc_tracker_branch_bytes", {{"branch", it.key()}, {"source", src}},
                 double(it.value()["bytes_by_source"].value(src, int64_t(0))));
  out.family("bc_tracker_branch_nodes_reporting", "gauge", "Nodes of a branch with a status report.");
  for (auto it = branches.begin(); it != branches.end(); ++it)
    out.sample("bc_tracker_branch_nodes_reporting", {{"branch", it.key()}}, double(it.value()["nodes"].get<int64_t>()));
  return Status();
}

}  // namespace

void add_metrics_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/metrics", [&ctx](HttpRequest&) {
    for (const auto& [branch, n] : ctx.peers.peers_per_branch()) ctx.metrics.set_branch_peers(branch, n);
    Exposition out;
    ctx.metrics.write(out);
    Status s = state_gauges(ctx, out);
    if (!s.ok()) return HttpResponse::from_status(s);
    HttpResponse res;
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = out.text();
    return res;
  });
  router.add("GET", "/healthz", [](HttpRequest&) { return HttpResponse::json(200, {{"ok", true}}); });
  // Unauthenticated: what a node pins at enrollment (the signing key and the
  // CA certificate), read over a connection it cannot check yet unless the
  // admin gave it the CA or its fingerprint (docs/security.md).
  router.add("GET", "/api/v1/tracker", [&ctx](HttpRequest&) {
    json out = {{"public_key", public_key_hex(ctx.signing_key.public_key())},
                {"api", "v1"},
                {"schema_version", kSchemaVersion},
                {"time", ctx.clock.unix_s()}};
    if (ctx.ca) {
      out["ca_cert"] = ctx.ca->ca_cert_pem();
      out["ca_fingerprint"] = ctx.ca->ca_fingerprint();
    }
    return HttpResponse::json(200, out);
  });
}

}  // namespace bc::tracker
