#include "tracker/api/api_route.hpp"

#include <utility>

namespace bc::tracker {

AuthResult authorize(Authenticator& auth, const HttpRequest& req, const Access& access) {
  switch (access.kind) {
    case Access::Kind::admin: return auth.admin(req, access.role);
    case Access::Kind::node: return auth.node(req, access.enrolled);
    case Access::Kind::admin_or_node: return auth.admin_or_node(req, access.role);
  }
  return auth.admin(req, Role::admin);  // unreachable: the strictest check
}

ApiRoute::ApiRoute(std::string m, std::string p, Access a, JsonHandler h, int ok_status)
    : method(std::move(m)), path(std::move(p)), access(a) {
  handler = [h = std::move(h), ok_status](ApiContext& ctx, const Principal& who, HttpRequest& req) {
    return json_or_error(h(ctx, who, req), ok_status);
  };
}

ApiRoute::ApiRoute(std::string m, std::string p, Access a, RawHandler h)
    : method(std::move(m)), path(std::move(p)), access(a), handler(std::move(h)) {}

void add_routes(Router& router, ApiContext& ctx, const std::vector<ApiRoute>& routes) {
  for (const ApiRoute& r : routes) {
    router.add(r.method, r.path, [&ctx, access = r.access, handler = r.handler, type = r.body_type](HttpRequest& req) {
      AuthResult a = authorize(ctx.auth, req, access);
      if (!a.ok()) return a.response();
      // Every body the API takes is JSON and must say so (RFC 9110 §15.5.16),
      // but for the routes that name another type.
      if (!type.empty()) {
        if (!req.body.empty() && req.header("content-type") != type)
          return HttpResponse::error(415, "request body must be sent as Content-Type: " + type);
      } else if (!req.body.empty() && !is_json_media_type(req.header("content-type"))) {
        return HttpResponse::error(415, "request body must be sent as Content-Type: application/json");
      }
      return handler(ctx, *a.who, req);
    });
  }
}

JsonHandler list_handler(Table table) {
  return [table](ApiContext& ctx, const Principal&, HttpRequest&) { return list_records(ctx, table); };
}

JsonHandler get_handler(Table table, std::string param, std::string what) {
  return [table, param = std::move(param), what = std::move(what)](ApiContext& ctx, const Principal&,
                                                                    HttpRequest& req) {
    return get_record(ctx, table, req.params.at(param), what);
  };
}

JsonHandler table_change_handler(TableChange change, Table table, const char* action) {
  return [change, table, action](ApiContext& ctx, const Principal& who, HttpRequest& req) {
    return change(ctx, who, req, table, action);
  };
}

}  // namespace bc::tracker
