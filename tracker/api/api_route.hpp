// The API's route table: each handler group declares its routes once, as
// (method, path, who may call, handler), and add_routes() wires them into the
// Router with the access check in front. A handler never runs for a caller
// its Access refuses; the refusal is the Authenticator's response (401/403).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tracker/api/api_context.hpp"

namespace bc::tracker {

// Who may call a route.
struct Access {
  enum class Kind { admin, node, admin_or_node };
  Kind kind = Kind::admin;
  Role role = Role::admin;  // admin, admin_or_node: the least admin role let in
  bool enrolled = true;     // node: the node must be enrolled (false: any signed request)

  static Access admin(Role need) { return {Kind::admin, need, true}; }
  static Access node(bool must_be_enrolled) { return {Kind::node, Role::admin, must_be_enrolled}; }
  // An admin token with `need`, or a signed request from an enrolled node.
  static Access admin_or_node(Role need) { return {Kind::admin_or_node, need, true}; }
};

// Runs the Authenticator check `access` names.
AuthResult authorize(Authenticator& auth, const HttpRequest& req, const Access& access);

// A handler answering JSON: the value with the route's ok status, or the
// error Status as its HTTP status (json_or_error).
using JsonHandler = std::function<Result<nlohmann::json>(ApiContext&, const Principal&, HttpRequest&)>;
// A handler that builds the whole response (blobs, long polls, summaries).
using RawHandler = std::function<HttpResponse(ApiContext&, const Principal&, HttpRequest&)>;

struct ApiRoute {
  ApiRoute(std::string method, std::string path, Access access, JsonHandler handler, int ok_status = 200);
  ApiRoute(std::string method, std::string path, Access access, RawHandler handler);

  std::string method;
  std::string path;  // a Router pattern, "{name}" segments become req.params
  Access access;
  RawHandler handler;
  // The media type a body must have: "" = JSON (every route but upload chunks).
  std::string body_type;
};

// Adds every route to the router in order (the Router tries them in order).
// `ctx` must outlive the router.
void add_routes(Router& router, ApiContext& ctx, const std::vector<ApiRoute>& routes);

// Handlers every group uses for whole tables: all records of `table` as a
// JSON array; the record keyed by the path parameter `param`, 404 naming
// `what` when absent.
JsonHandler list_handler(Table table);
JsonHandler get_handler(Table table, std::string param, std::string what);

// A handler for an audited change to one table, with the table and the
// audit action bound (revoking tokens, deleting nodes).
using TableChange = Result<nlohmann::json> (*)(ApiContext& ctx, const Principal& who, const HttpRequest& req,
                                               Table table, const char* action);
JsonHandler table_change_handler(TableChange change, Table table, const char* action);

}  // namespace bc::tracker
