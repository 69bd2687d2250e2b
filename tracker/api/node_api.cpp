// Node enrollment: endpoints enroll, reflectors register and heartbeat. Every
// request is signed by the node's Ed25519 key; its public key is its id.
#include "tracker/api/api_context.hpp"
#include "tracker/api/api_route.hpp"
#include "tracker/api/json_input.hpp"
#include "tracker/model/cidr.hpp"
#include "tracker/service/records.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

// Checks and consumes an enrollment token for `role` inside the transaction.
// Returns the token record (its "branch" may pin the node's branch).
Result<json> consume_token(Txn& t, const ApiContext& ctx, const std::string& token,
                           const std::string& role) {
  std::string key = Authenticator::hash_token(token);
  BC_ASSIGN_OR_RETURN(json rec, get_json(t, Table::enroll_tokens, key));
  if (rec.is_null()) return Status::permission_denied("unknown or revoked enrollment token");
  if (rec.value("role", "") != role)
    return Status::permission_denied("this enrollment token is for role '" + rec.value("role", "") + "'");
  if (rec["expires_at"].is_number() && ctx.clock.unix_s() > rec["expires_at"].get<int64_t>())
    return Status::permission_denied("enrollment token has expired");
  int64_t uses = rec.value("uses", int64_t(0));
  if (!rec.value("reusable", false) && uses >= 1)
    return Status::permission_denied("one-time enrollment token was already used");
  if (rec["max_uses"].is_number() && uses >= rec["max_uses"].get<int64_t>())
    return Status::permission_denied("enrollment token has reached its max_uses");
  rec["uses"] = uses + 1;
  BC_RETURN_IF_ERROR(put_json(t, Table::enroll_tokens, key, rec));
  return rec;
}

// token's branch > requested branch > longest subnet match of `address`.
Result<std::pair<std::string, std::string>> pick_branch(const Txn& t, const json& token_rec,
                                                        const std::optional<std::string>& requested,
                                                        const std::string& address) {
  std::string branch, source;
  if (token_rec["branch"].is_string()) {
    branch = token_rec["branch"].get<std::string>();
    source = "token";
  } else if (requested) {
    branch = *requested;
    source = "request";
  } else {
    BC_ASSIGN_OR_RETURN(branch, branch_for_address(t, address));
    source = "subnet";
    if (branch.empty())
      return Status::invalid_argument("no branch's subnets contain address " + address +
                                      "; enroll with an explicit branch");
  }
  BC_ASSIGN_OR_RETURN(auto b, t.get(Table::branches, branch));
  if (!b) return Status::not_found("branch '" + branch + "' does not exist");
  return std::make_pair(branch, source);
}

Result<json> enroll(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits));
  BC_RETURN_IF_ERROR(check_fields(body, {"token", "facts", "branch"}));
  BC_ASSIGN_OR_RETURN(std::string token, req_string(body, "token", ctx.limits));
  BC_ASSIGN_OR_RETURN(auto facts, string_map(body, "facts", ctx.limits));
  BC_ASSIGN_OR_RETURN(auto branch, opt_string(body, "branch", ctx.limits));
  if (who.node_role == "reflector")
    return Status::already_exists("node " + who.id + " is enrolled as a reflector");
  json rec;
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(json tok, consume_token(t, ctx, token, "endpoint"));
    BC_ASSIGN_OR_RETURN(auto picked, pick_branch(t, tok, branch, req.remote_address));
    BC_ASSIGN_OR_RETURN(json old, get_json(t, Table::endpoints, who.id));
    rec = {{"id", who.id}, {"branch", picked.first}, {"branch_source", picked.second},
           {"facts", facts}, {"address", req.remote_address}, {"enrolled_at", ctx.clock.unix_s()},
           {"token_id", tok.value("id", "")}};
    if (old.is_object() && old.contains("announce_key")) rec["announce_key"] = old["announce_key"];
    BC_RETURN_IF_ERROR(ensure_announce_key(t, rec, "endpoint").status());
    BC_RETURN_IF_ERROR(put_json(t, Table::endpoints, who.id, rec));
    return audit(t, ctx, who, req, "endpoint.enroll", who.id,
                 {{"branch", picked.first}, {"token_id", tok.value("id", "")}});
  }));
  return rec;
}

Result<json> register_reflector(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits));
  BC_RETURN_IF_ERROR(check_fields(body, {"token", "address", "branch", "cache", "free_bytes"}));
  BC_ASSIGN_OR_RETURN(std::string token, req_string(body, "token", ctx.limits));
  BC_ASSIGN_OR_RETURN(auto address, opt_string(body, "address", ctx.limits));
  BC_ASSIGN_OR_RETURN(auto branch, opt_string(body, "branch", ctx.limits));
  BC_ASSIGN_OR_RETURN(auto cache, string_list(body, "cache", ctx.limits, false));
  BC_ASSIGN_OR_RETURN(auto free_bytes, opt_int(body, "free_bytes", 0, INT64_MAX));
  if (who.node_role == "endpoint")
    return Status::already_exists("node " + who.id + " is enrolled as an endpoint");
  std::string addr = address.value_or(req.remote_address);
  if (!IpAddress::parse(addr).ok()) return Status::invalid_argument("body: address is not an IP address");
  json rec;
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(json tok, consume_token(t, ctx, token, "reflector"));
    BC_ASSIGN_OR_RETURN(auto picked, pick_branch(t, tok, branch, addr));
    BC_ASSIGN_OR_RETURN(json old, get_json(t, Table::reflectors, who.id));
    rec = {{"id", who.id}, {"branch", picked.first}, {"address", addr}, {"cache", cache},
           {"free_bytes", free_bytes.value_or(0)}, {"registered_at", ctx.clock.unix_s()},
           {"last_heartbeat", ctx.clock.unix_s()}};
    if (old.is_object() && old.contains("announce_key")) rec["announce_key"] = old["announce_key"];
    BC_RETURN_IF_ERROR(ensure_announce_key(t, rec, "reflector").status());
    BC_RETURN_IF_ERROR(put_json(t, Table::reflectors, who.id, rec));
    return audit(t, ctx, who, req, "reflector.register", who.id, {{"branch", picked.first}});
  }));
  return rec;
}

Result<json> heartbeat(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  if (who.node_role != "reflector")
    return Status::permission_denied("node " + who.id + " is not a registered reflector");
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits, true));
  BC_RETURN_IF_ERROR(check_fields(body, {"cache", "free_bytes", "address", "wan_demand_bytes_per_s"}));
  BC_ASSIGN_OR_RETURN(auto cache, string_list(body, "cache", ctx.limits, false));
  BC_ASSIGN_OR_RETURN(auto free_bytes, opt_int(body, "free_bytes", 0, INT64_MAX));
  BC_ASSIGN_OR_RETURN(auto address, opt_string(body, "address", ctx.limits));
  if (address && !IpAddress::parse(*address).ok())
    return Status::invalid_argument("body: address is not an IP address");
  BC_ASSIGN_OR_RETURN(auto demand, opt_int(body, "wan_demand_bytes_per_s", 0, int64_t(1) << 40));
  json rec;
  BC_RETURN_IF_ERROR(ctx.store.write(
      [&](Txn& t) -> Status {
        BC_ASSIGN_OR_RETURN(rec, get_json(t, Table::reflectors, who.id));
        if (rec.is_null()) return Status::not_found("reflector " + who.id + " is not registered");
        if (body.contains("cache")) rec["cache"] = cache;
        if (free_bytes) rec["free_bytes"] = *free_bytes;
        if (address) rec["address"] = *address;
        if (demand) rec["wan_demand_bytes_per_s"] = *demand;  // for the branch budget split
        rec["last_heartbeat"] = ctx.clock.unix_s();
        return put_json(t, Table::reflectors, who.id, rec);
      },
      Store::Notify::no));
  return rec;
}

Result<json> decommission(ApiContext& ctx, const Principal& who, const HttpRequest& req, Table table,
                          const char* action) {
  const std::string& id = req.params.at("id");
  BC_RETURN_IF_ERROR(check_node_id(id));
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_RETURN_IF_ERROR(delete_node(t, table, id));
    return audit(t, ctx, who, req, action, id);
  }));
  return json{{"deleted", id}};
}

}  // namespace

void add_node_routes(Router& router, ApiContext& ctx) {
  const Access admin = Access::admin(Role::admin);
  // Enrolling and registering are what make a node enrolled, so any signed request may.
  const Access any_node = Access::node(false), enrolled = Access::node(true);
  add_routes(router, ctx, {
      {"DELETE", "/api/v1/endpoints/{id}", admin, table_change_handler(decommission, Table::endpoints, "endpoint.delete")},
      {"DELETE", "/api/v1/reflectors/{id}", admin, table_change_handler(decommission, Table::reflectors, "reflector.delete")},
      {"POST", "/api/v1/enroll", any_node, enroll, 201},
      {"POST", "/api/v1/reflectors/register", any_node, register_reflector, 201},
      {"POST", "/api/v1/reflectors/heartbeat", enrolled, heartbeat},
  });
}

}  // namespace bc::tracker
