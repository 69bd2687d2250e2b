// The API route table (tracker/api/api_route.hpp) on the real request path:
// the fixture's Store and Authenticator, a Router of our own routes.
#include <doctest/doctest.h>

#include "tests/tracker/api/api_fixture.hpp"
#include "tracker/api/api_route.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {

struct RouteFixture : test::ApiFixture {
  Router router;
  int runs = 0;  // how often a test handler ran

  HttpResponse send(const std::string& method, const std::string& path, const std::string& token) {
    HttpRequest req;
    req.method = method;
    req.path = path;
    req.remote_address = "192.0.2.1";
    if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
    std::string route;
    return router.dispatch(req, &route);
  }
  JsonHandler counting(Result<json> answer) {
    return [this, answer](ApiContext&, const Principal&, HttpRequest&) {
      ++runs;
      return answer;
    };
  }
};

}  // namespace

TEST_CASE("a route refuses a token below its role (403) without running its handler, and admits one at or above") {
  RouteFixture f;
  add_routes(f.router, f.app->context(),
             {{"PUT", "/things/{name}", Access::admin(Role::operator_), f.counting(json{{"ok", true}})}});
  CHECK(f.send("PUT", "/things/a", f.make_token("viewer")).status == 403);
  CHECK(f.send("PUT", "/things/a", "").status == 401);
  CHECK(f.runs == 0);
  auto op = f.send("PUT", "/things/a", f.make_token("operator"));
  CHECK(op.status == 200);
  CHECK(op.body == R"({"ok":true})");
  CHECK(f.send("PUT", "/things/a", f.admin_token).status == 200);
  CHECK(f.runs == 2);
}

TEST_CASE("a node-only route refuses an admin token, and admin_or_node admits a viewer token") {
  RouteFixture f;
  add_routes(f.router, f.app->context(),
             {{"GET", "/node-only", Access::node(false), f.counting(json::object())},
              {"GET", "/either", Access::admin_or_node(Role::viewer), f.counting(json::object())}});
  CHECK(f.send("GET", "/node-only", f.admin_token).status == 401);
  CHECK(f.runs == 0);
  CHECK(f.send("GET", "/either", f.make_token("viewer")).status == 200);
  CHECK(f.runs == 1);
}

TEST_CASE("a JSON route answers with its ok status, an error Status as its HTTP status, and a raw route answers itself") {
  RouteFixture f;
  const Access viewer = Access::admin(Role::viewer);
  RawHandler teapot = [](ApiContext&, const Principal&, HttpRequest&) { return HttpResponse::error(418, "tea"); };
  add_routes(f.router, f.app->context(),
             {{"POST", "/made", viewer, f.counting(json{{"id", 1}}), 201},
              {"GET", "/missing", viewer, f.counting(Status::not_found("no such thing"))},
              {"GET", "/raw", viewer, teapot}});
  CHECK(f.send("POST", "/made", f.admin_token).status == 201);
  auto missing = f.send("GET", "/missing", f.admin_token);
  CHECK(missing.status == 404);
  CHECK(missing.body.find("no such thing") != std::string::npos);
  CHECK(f.send("GET", "/raw", f.admin_token).status == 418);
}

TEST_CASE("list_handler returns every record of a table, get_handler one by its path parameter, 404 naming it") {
  RouteFixture f;
  REQUIRE(f.call("PUT", "/api/v1/branches/berlin", R"({"subnets":["10.1.0.0/16"]})").status == 200);
  REQUIRE(f.call("PUT", "/api/v1/branches/paris", R"({"subnets":["10.2.0.0/16"]})").status == 200);
  const Access viewer = Access::admin(Role::viewer);
  add_routes(f.router, f.app->context(),
             {{"GET", "/b", viewer, list_handler(Table::branches)},
              {"GET", "/b/{n}", viewer, get_handler(Table::branches, "n", "branch")}});
  auto all = f.send("GET", "/b", f.admin_token);
  REQUIRE(all.status == 200);
  json list = json::parse(all.body);
  REQUIRE(list.size() == 2);
  CHECK(list[0]["name"] == "berlin");
  CHECK(list[1]["name"] == "paris");
  auto one = f.send("GET", "/b/paris", f.admin_token);
  CHECK(json::parse(one.body)["subnets"][0] == "10.2.0.0/16");
  auto none = f.send("GET", "/b/rome", f.admin_token);
  CHECK(none.status == 404);
  CHECK(none.body.find("branch 'rome' does not exist") != std::string::npos);
}
