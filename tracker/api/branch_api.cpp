// Branches (name, subnets, parent, WAN policy) and groups of endpoints.
#include "layers/governor/wan_policy.hpp"
#include "tracker/api/api_context.hpp"
#include "tracker/api/api_route.hpp"
#include "tracker/api/json_input.hpp"
#include "tracker/model/cidr.hpp"
#include "tracker/service/desired_state.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

// No cycle through `parent` when `name` gets it; bounded depth.
Status check_parent(const Txn& t, const std::string& name, const std::string& parent) {
  std::string p = parent;
  for (int depth = 0; depth < kMaxBranchDepth; ++depth) {
    if (p == name) return Status::invalid_argument("parent '" + parent + "' would make a cycle");
    BC_ASSIGN_OR_RETURN(json rec, get_json(t, Table::branches, p));
    if (rec.is_null()) {
      if (p == parent) return Status::not_found("parent branch '" + parent + "' does not exist");
      return Status();
    }
    if (!rec.contains("parent") || !rec["parent"].is_string()) return Status();
    p = rec["parent"].get<std::string>();
  }
  return Status::invalid_argument("branch nesting deeper than " + std::to_string(kMaxBranchDepth));
}

// A WAN policy as the nodes will decode it (layers/governor/wan_policy.hpp):
// the API refuses what a node would refuse, naming the field, so an edit
// never leaves a branch's nodes on their previous policy unnoticed.
Status check_wan_policy(const json& policy, const ApiLimits& limits) {
  if (!policy.is_object()) return Status::invalid_argument("body: wan_policy must be a JSON object");
  const std::string text = policy.dump();
  if (text.size() > limits.max_wan_policy_bytes)
    return Status::invalid_argument("body: wan_policy is larger than " + std::to_string(limits.max_wan_policy_bytes) +
                                    " bytes");
  if (policy.empty()) return Status();
  auto decoded = governor::WanPolicy::decode(text);
  if (!decoded.ok()) return Status::invalid_argument("body: wan_policy: " + decoded.status().message());
  return Status();
}

Result<json> put_branch(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  const std::string& name = req.params.at("name");
  BC_RETURN_IF_ERROR(check_name("branch", name));
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits));
  BC_RETURN_IF_ERROR(check_fields(body, {"subnets", "parent", "wan_policy", "wan_fallback"}));
  BC_ASSIGN_OR_RETURN(auto subnets, string_list(body, "subnets", ctx.limits, false));
  json canon = json::array();
  for (size_t i = 0; i < subnets.size(); ++i) {
    auto c = Cidr::parse(subnets[i]);
    if (!c.ok())
      return Status::invalid_argument("body: subnets[" + std::to_string(i) + "]: " + c.status().message());
    canon.push_back(c->to_string());
  }
  BC_ASSIGN_OR_RETURN(auto parent, opt_string(body, "parent", ctx.limits));
  json policy = body.value("wan_policy", json::object());
  BC_RETURN_IF_ERROR(check_wan_policy(policy, ctx.limits));
  BC_ASSIGN_OR_RETURN(auto fallback, opt_bool(body, "wan_fallback"));
  json rec = {{"name", name}, {"subnets", canon}, {"parent", parent ? json(*parent) : json()},
              {"wan_policy", policy}, {"wan_fallback", fallback ? json(*fallback) : json()}};
  bool created = false;
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    if (parent) BC_RETURN_IF_ERROR(check_parent(t, name, *parent));
    BC_ASSIGN_OR_RETURN(auto old, t.get(Table::branches, name));
    created = !old;
    BC_RETURN_IF_ERROR(put_json(t, Table::branches, name, rec));
    return audit(t, ctx, who, req, created ? "branch.create" : "branch.update", name, rec);
  }));
  return rec;
}

// Operators change a branch's WAN policy (caps, windows) without the admin
// role that its subnets and parent need. The body is the policy itself.
Result<json> put_wan_policy(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  const std::string& name = req.params.at("name");
  BC_ASSIGN_OR_RETURN(json policy, parse_body(req, ctx.limits));
  BC_RETURN_IF_ERROR(check_wan_policy(policy, ctx.limits));
  json rec;
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(rec, get_json(t, Table::branches, name));
    if (rec.is_null()) return Status::not_found("branch '" + name + "' does not exist");
    rec["wan_policy"] = policy;
    BC_RETURN_IF_ERROR(put_json(t, Table::branches, name, rec));
    return audit(t, ctx, who, req, "branch.wan_policy", name, {{"wan_policy", policy}});
  }));
  return rec;
}

Result<json> put_group(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  const std::string& name = req.params.at("name");
  BC_RETURN_IF_ERROR(check_name("group", name));
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits));
  BC_RETURN_IF_ERROR(check_fields(body, {"members"}));
  BC_ASSIGN_OR_RETURN(auto members, string_list(body, "members", ctx.limits, true));
  std::set<std::string> unique;
  for (const auto& m : members) {
    BC_RETURN_IF_ERROR(check_node_id(m).with_context("body: members"));
    unique.insert(m);
  }
  json rec = {{"name", name}, {"members", json(std::vector<std::string>(unique.begin(), unique.end()))}};
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_RETURN_IF_ERROR(put_json(t, Table::groups, name, rec));
    return audit(t, ctx, who, req, "group.put", name, {{"members", unique.size()}});
  }));
  return rec;
}

Result<json> delete_group(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  const std::string& name = req.params.at("name");
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(auto old, t.get(Table::groups, name));
    if (!old) return Status::not_found("group '" + name + "' does not exist");
    BC_RETURN_IF_ERROR(t.del(Table::groups, name));
    BC_RETURN_IF_ERROR(t.del(Table::assignments, "group:" + name));
    return audit(t, ctx, who, req, "group.delete", name);
  }));
  return json{{"deleted", name}};
}

// Refuses (409) while anything still refers to the branch.
Status check_unused(const Txn& t, const std::string& name) {
  std::string user;
  auto scan = [&](Table table, const char* field, const char* what) -> Status {
    return t.scan(table, "", [&](std::string_view, std::string_view v) {
      json j = json::parse(v, nullptr, false);
      if (j.is_object() && j.contains(field) && j[field] == name)
        user = std::string(what) + " '" + j.value("id", j.value("name", "")) + "'";
      return user.empty();
    });
  };
  BC_RETURN_IF_ERROR(scan(Table::branches, "parent", "child branch"));
  BC_RETURN_IF_ERROR(scan(Table::endpoints, "branch", "endpoint"));
  BC_RETURN_IF_ERROR(scan(Table::reflectors, "branch", "reflector"));
  BC_RETURN_IF_ERROR(scan(Table::enroll_tokens, "branch", "enrollment token"));
  if (!user.empty()) return Status::aborted("branch '" + name + "' is still used by " + user);
  return Status();
}

Result<json> delete_branch(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  const std::string& name = req.params.at("name");
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(auto old, t.get(Table::branches, name));
    if (!old) return Status::not_found("branch '" + name + "' does not exist");
    BC_RETURN_IF_ERROR(check_unused(t, name));
    BC_RETURN_IF_ERROR(t.del(Table::branches, name));
    BC_RETURN_IF_ERROR(t.del(Table::assignments, "branch:" + name));
    return audit(t, ctx, who, req, "branch.delete", name);
  }));
  return json{{"deleted", name}};
}

}  // namespace

void add_branch_routes(Router& router, ApiContext& ctx) {
  const Access admin = Access::admin(Role::admin), op = Access::admin(Role::operator_),
               viewer = Access::admin(Role::viewer);
  add_routes(router, ctx, {
      {"DELETE", "/api/v1/branches/{name}", admin, delete_branch},
      {"PUT", "/api/v1/branches/{name}", admin, put_branch},
      {"PUT", "/api/v1/branches/{name}/wan-policy", op, put_wan_policy},
      {"GET", "/api/v1/branches", viewer, list_handler(Table::branches)},
      {"GET", "/api/v1/branches/{name}", viewer, get_handler(Table::branches, "name", "branch")},
      {"PUT", "/api/v1/groups/{name}", op, put_group},
      {"DELETE", "/api/v1/groups/{name}", op, delete_group},
      {"GET", "/api/v1/groups", viewer, list_handler(Table::groups)},
      {"GET", "/api/v1/groups/{name}", viewer, get_handler(Table::groups, "name", "group")},
      {"GET", "/api/v1/endpoints", viewer, list_handler(Table::endpoints)},
      {"GET", "/api/v1/endpoints/{id}", viewer, get_handler(Table::endpoints, "id", "endpoint")},
      {"GET", "/api/v1/reflectors", viewer, list_handler(Table::reflectors)},
  });
}

}  // namespace bc::tracker
