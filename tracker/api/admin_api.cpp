// Admin tokens, enrollment tokens and the audit log.
#include "layers/crypto/ed25519.hpp"
#include "tracker/api/api_context.hpp"
#include "tracker/api/api_route.hpp"
#include "tracker/api/json_input.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

std::string token_id() {
  // Ids name tokens in lists and the audit log; they do not reveal the secret.
  return Authenticator::new_token().substr(4, 16);
}

Result<json> create_admin_token(ApiContext& ctx, const Principal& who, const HttpRequest& req) {
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits));
  BC_RETURN_IF_ERROR(check_fields(body, {"role", "name", "expires_in_s"}));
  BC_ASSIGN_OR_RETURN(std::string role_s, req_string(body, "role", ctx.limits));
  auto role = parse_role(role_s);
  if (!role) return Status::invalid_argument("body: role must be admin, operator or viewer");
  BC_ASSIGN_OR_RETURN(auto name, opt_string(body, "name", ctx.limits));
  BC_ASSIGN_OR_RETURN(auto expires, opt_int(body, "expires_in_s", 1, int64_t(10) * 365 * 86400));
  std::string token = Authenticator::new_token(), id = token_id();
  json rec = {{"id", id}, {"role", role_s}, {"name", name.value_or("")},
              {"expires_at", expires ? json(ctx.clock.unix_s() + *expires) : json()},
              {"created_at", ctx.clock.unix_s()}, {"created_by", who.actor()}};
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_RETURN_IF_ERROR(put_json(t, Table::admin_tokens, Authenticator::hash_token(token), rec));
    return audit(t, ctx, who, req, "token.create", id, {{"role", role_s}, {"name", name.value_or("")}});
  }));
  return json{{"id", id}, {"role", role_s}, {"token", token}, {"expires_at", rec["expires_at"]}};
}

// Deletes the record whose "id" field is `id` from a table keyed by token hash.
Result<json> revoke(ApiContext& ctx, const Principal& who, const HttpRequest& req, Table table,
                    const char* action) {
  const std::string& id = req.params.at("id");
  bool found = false;
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    std::string key;
    BC_RETURN_IF_ERROR(t.scan(table, "", [&](std::string_view k, std::string_view v) {
      json j = json::parse(v, nullptr, false);
      if (j.is_object() && j.value("id", "") == id) key = std::string(k);
      return key.empty();
    }));
    if (key.empty()) return Status::not_found("no token with id '" + id + "'");
    found = true;
    BC_RETURN_IF_ERROR(t.del(table, key));
    return audit(t, ctx, who, req, action, id);
  }));
  return json{{"id", id}, {"revoked", found}};
}

Result<json> create_enroll_token(ApiContext& ctx, const Principal& who, const HttpRequest& req) {
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits));
  BC_RETURN_IF_ERROR(check_fields(body, {"role", "reusable", "branch", "expires_in_s", "max_uses"}));
  BC_ASSIGN_OR_RETURN(auto role, opt_string(body, "role", ctx.limits));
  std::string node_role = role.value_or("endpoint");
  if (node_role != "endpoint" && node_role != "reflector")
    return Status::invalid_argument("body: role must be endpoint or reflector");
  BC_ASSIGN_OR_RETURN(auto reusable, opt_bool(body, "reusable"));
  BC_ASSIGN_OR_RETURN(auto branch, opt_string(body, "branch", ctx.limits));
  BC_ASSIGN_OR_RETURN(auto expires, opt_int(body, "expires_in_s", 1, int64_t(10) * 365 * 86400));
  BC_ASSIGN_OR_RETURN(auto max_uses, opt_int(body, "max_uses", 1, int64_t(1) << 40));
  std::string token = Authenticator::new_token(), id = token_id();
  json rec = {{"id", id}, {"role", node_role}, {"reusable", reusable.value_or(false)},
              {"branch", branch ? json(*branch) : json()}, {"uses", 0},
              {"max_uses", max_uses ? json(*max_uses) : json()},
              {"expires_at", expires ? json(ctx.clock.unix_s() + *expires) : json()},
              {"created_at", ctx.clock.unix_s()}, {"created_by", who.actor()}};
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    if (branch) {
      BC_ASSIGN_OR_RETURN(auto b, t.get(Table::branches, *branch));
      if (!b) return Status::not_found("branch '" + *branch + "' does not exist");
    }
    BC_RETURN_IF_ERROR(put_json(t, Table::enroll_tokens, Authenticator::hash_token(token), rec));
    return audit(t, ctx, who, req, "enrollment_token.create", id, {{"role", node_role}});
  }));
  json out = rec;
  out["token"] = token;
  return out;
}

Result<json> read_audit(ApiContext& ctx, const Principal&, const HttpRequest& req) {
  uint64_t after = 0;
  size_t limit = 100;
  try {
    if (auto* a = req.query_param("after")) after = std::stoull(*a);
    if (auto* l = req.query_param("limit")) limit = std::stoull(*l);
  } catch (...) {
    return Status::invalid_argument("after and limit must be non-negative integers");
  }
  if (limit < 1 || limit > ctx.limits.max_audit_page)
    return Status::invalid_argument("limit must be 1.." + std::to_string(ctx.limits.max_audit_page));
  json entries = json::array();
  BC_RETURN_IF_ERROR(ctx.store.read([&](const Txn& t) {
    return t.scan_from(Table::audit, audit_key(after + 1), [&](std::string_view, std::string_view v) {
      entries.push_back(json::parse(v, nullptr, false));
      return entries.size() < limit;
    });
  }));
  return json{{"entries", entries}};
}

}  // namespace

void add_admin_routes(Router& router, ApiContext& ctx) {
  const Access admin = Access::admin(Role::admin);
  add_routes(router, ctx, {
      {"POST", "/api/v1/tokens", admin, create_admin_token, 201},
      {"GET", "/api/v1/tokens", admin, list_handler(Table::admin_tokens)},
      {"DELETE", "/api/v1/tokens/{id}", admin, table_change_handler(revoke, Table::admin_tokens, "token.revoke")},
      {"POST", "/api/v1/enrollment-tokens", admin, create_enroll_token, 201},
      {"GET", "/api/v1/enrollment-tokens", admin, list_handler(Table::enroll_tokens)},
      {"DELETE", "/api/v1/enrollment-tokens/{id}", admin,
       table_change_handler(revoke, Table::enroll_tokens, "enrollment_token.revoke")},
      {"GET", "/api/v1/audit", Access::admin(Role::operator_), read_audit},
  });
}

}  // namespace bc::tracker
