#include <doctest/doctest.h>

#include "tracker/http/router.hpp"

using namespace bc::tracker;

namespace {
HttpRequest request(const char* method, const char* path) {
  HttpRequest r;
  r.method = method;
  r.path = path;
  return r;
}
}  // namespace

TEST_CASE("the router matches method and pattern, fills {params} and reports the route for metrics") {
  Router router;
  router.add("GET", "/api/v1/layers/{ref}", [](HttpRequest& r) {
    return HttpResponse::json(200, {{"ref", r.params["ref"]}});
  });
  router.add("GET", "/api/v1/layers/import", [](HttpRequest&) { return HttpResponse::json(200, {}); });
  router.add("POST", "/api/v1/layers/import", [](HttpRequest&) { return HttpResponse::json(201, {}); });
  std::string route;
  auto req = request("GET", "/api/v1/layers/base@3");
  auto res = router.dispatch(req, &route);
  CHECK(res.status == 200);
  CHECK(res.body == R"({"ref":"base@3"})");
  CHECK(route == "/api/v1/layers/{ref}");
  auto post = request("POST", "/api/v1/layers/import");
  CHECK(router.dispatch(post, &route).status == 201);
  CHECK(route == "/api/v1/layers/import");
}

TEST_CASE("unknown paths get 404 and known paths with another method get 405 with Allow") {
  Router router;
  router.add("GET", "/a/{x}", [](HttpRequest&) { return HttpResponse::json(200, {}); });
  router.add("PUT", "/a/{x}", [](HttpRequest&) { return HttpResponse::json(200, {}); });
  std::string route;
  auto missing = request("GET", "/a/b/c");
  CHECK(router.dispatch(missing, &route).status == 404);
  CHECK(route == "unmatched");
  auto wrong = request("DELETE", "/a/b");
  auto res = router.dispatch(wrong, &route);
  CHECK(res.status == 405);
  REQUIRE(res.headers.size() == 1);
  CHECK(res.headers[0].second == "GET, PUT");
}

TEST_CASE("request targets are percent-decoded; bad escapes and NULs outside query values are refused") {
  std::string path;
  std::map<std::string, std::string> q;
  REQUIRE(parse_target("/api/v1/layers/a%40b?wait=30&x=a+b%21", &path, &q).ok());
  CHECK(path == "/api/v1/layers/a@b");
  CHECK(q["wait"] == "30");
  CHECK(q["x"] == "a b!");
  CHECK_FALSE(parse_target("/a%4", &path, &q).ok());
  CHECK_FALSE(parse_target("/a%zz", &path, &q).ok());
  CHECK_FALSE(parse_target("/a%00b", &path, &q).ok());
  REQUIRE(parse_target("/announce/k?info_hash=%00%ff%20A&x=1&x=2", &path, &q).ok());
  CHECK(q["info_hash"] == std::string("\0\xff A", 4));  // binary-safe values
  CHECK(q["x"] == "1");                                   // first of a repeated key
  CHECK_FALSE(parse_target("/a?k%00=1", &path, &q).ok());
  CHECK_FALSE(parse_target("a", &path, &q).ok());
  CHECK_FALSE(parse_target("*", &path, &q).ok());
}
