// An enrolled endpoint's hardware facts after enrollment: `PUT /api/v1/facts`
// (node-signed). The endpoint sends them when they differ from what it sent
// last (a new graphics card, a BIOS update); the tracker's driver matching
// (tracker/service/desired_state) uses them on the next desired-state
// answer, and a held long poll of that endpoint wakes when they change.
#include "tracker/api/api_context.hpp"
#include "tracker/api/api_route.hpp"
#include "tracker/api/json_input.hpp"
#include "tracker/service/records.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

Result<json> put_facts(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  if (who.node_role != "endpoint")
    return Status::permission_denied("node " + who.id + " is not an enrolled endpoint");
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits));
  BC_RETURN_IF_ERROR(check_fields(body, {"facts"}));
  if (!body.contains("facts") || !body["facts"].is_object())
    return Status::invalid_argument("body: field 'facts' (an object of strings) is required");
  BC_ASSIGN_OR_RETURN(auto facts, string_map(body, "facts", ctx.limits));
  const json now = facts;
  json rec;
  BC_RETURN_IF_ERROR(ctx.store.read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(rec, get_json(t, Table::endpoints, who.id));
    return Status();
  }));
  if (!rec.is_object()) return Status::not_found("endpoint " + who.id + " is not enrolled");
  // Unchanged facts write nothing and wake no long poll.
  bool changed = rec.value("facts", json::object()) != now;
  if (changed) {
    BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
      BC_ASSIGN_OR_RETURN(rec, get_json(t, Table::endpoints, who.id));
      if (!rec.is_object()) return Status::not_found("endpoint " + who.id + " is not enrolled");
      json keys = json::array();
      for (const auto& [k, v] : facts) keys.push_back(k);
      rec["facts"] = now;
      rec["facts_updated_at"] = ctx.clock.unix_s();
      BC_RETURN_IF_ERROR(put_json(t, Table::endpoints, who.id, rec));
      return audit(t, ctx, who, req, "endpoint.facts", who.id, {{"facts", keys}});
    }));
  }
  return json{{"id", who.id}, {"facts", rec.value("facts", json::object())}, {"changed", changed}};
}

}  // namespace

void add_facts_routes(Router& router, ApiContext& ctx) {
  add_routes(router, ctx, {{"PUT", "/api/v1/facts", Access::node(true), put_facts}});
}

}  // namespace bc::tracker
