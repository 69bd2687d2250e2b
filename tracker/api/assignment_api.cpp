// Assignments: a stack of layer refs for an endpoint, a group or a branch.
#include "tracker/api/api_context.hpp"
#include "tracker/api/api_route.hpp"
#include "tracker/api/json_input.hpp"
#include "tracker/service/records.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

inline constexpr size_t kMaxStackLayers = 64;

Status check_target(const Txn& t, const std::string& kind, const std::string& target) {
  Table table;
  if (kind == "endpoint") table = Table::endpoints;
  else if (kind == "group") table = Table::groups;
  else if (kind == "branch") table = Table::branches;
  else return Status::invalid_argument("assignment kind must be endpoint, group or branch");
  BC_ASSIGN_OR_RETURN(auto rec, t.get(table, target));
  if (!rec) return Status::not_found(kind + " '" + target + "' does not exist");
  return Status();
}

Result<json> put_assignment(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  const std::string& kind = req.params.at("kind");
  const std::string& target = req.params.at("target");
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits));
  BC_RETURN_IF_ERROR(check_fields(body, {"stack"}));
  BC_ASSIGN_OR_RETURN(auto stack, layer_stack(body, "stack", ctx.limits));
  if (stack.size() > kMaxStackLayers)
    return Status::invalid_argument("body: stack has more than " + std::to_string(kMaxStackLayers) + " layers");
  json refs = json::array();
  for (const auto& r : stack) refs.push_back(r.to_string());
  json rec = {{"kind", kind}, {"target", target}, {"stack", refs},
              {"updated_at", ctx.clock.unix_s()}, {"updated_by", who.actor()}};
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_RETURN_IF_ERROR(check_target(t, kind, target));
    for (const auto& r : stack) {
      BC_ASSIGN_OR_RETURN(json l, get_json(t, Table::layers, layer_key(r)));
      if (l.is_null()) return Status::not_found("layer " + r.to_string() + " is not published");
      if (l.value("retired", false)) return Status::invalid_argument("layer " + r.to_string() + " is retired");
    }
    BC_RETURN_IF_ERROR(put_json(t, Table::assignments, assignment_key(kind, target), rec));
    return audit(t, ctx, who, req, "assignment.put", kind + ":" + target, {{"stack", refs}});
  }));
  return rec;
}

Result<json> delete_assignment(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  std::string key = assignment_key(req.params.at("kind"), req.params.at("target"));
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(auto old, t.get(Table::assignments, key));
    if (!old) return Status::not_found("no assignment for " + key);
    BC_RETURN_IF_ERROR(t.del(Table::assignments, key));
    return audit(t, ctx, who, req, "assignment.delete", key);
  }));
  return json{{"deleted", key}};
}

}  // namespace

void add_assignment_routes(Router& router, ApiContext& ctx) {
  const Access op = Access::admin(Role::operator_);
  add_routes(router, ctx, {
      {"PUT", "/api/v1/assignments/{kind}/{target}", op, put_assignment},
      {"DELETE", "/api/v1/assignments/{kind}/{target}", op, delete_assignment},
      {"GET", "/api/v1/assignments", Access::admin(Role::viewer), list_handler(Table::assignments)},
  });
}

}  // namespace bc::tracker
