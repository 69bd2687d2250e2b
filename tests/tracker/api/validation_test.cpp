#include <doctest/doctest.h>

#include "tests/tracker/api/api_fixture.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {
std::string error_of(test::ApiFixture& f, const HttpResponse& r) { return f.body(r).value("error", ""); }
}  // namespace

TEST_CASE("malformed request JSON gets a 400 whose error names what is wrong") {
  test::ApiFixture f;
  auto put = [&](const std::string& body) { return f.call("PUT", "/api/v1/branches/hq", body); };
  struct Case {
    std::string body, expect;
  };
  std::string deep = std::string(40, '[') + std::string(40, ']');
  json many = {{"subnets", json::array()}};
  for (int i = 0; i < 101; ++i) many["subnets"].push_back("10.0." + std::to_string(i) + ".0/24");
  std::vector<Case> cases = {
      {"", "request body must be a JSON object"},
      {"{\"subnets\": [", "malformed JSON"},
      {"[1,2]", "request body must be a JSON object"},
      {"{\"subnets\": 5}", "field 'subnets' must be a list of strings"},
      {"{\"subnets\": [5]}", "item 0 must be a string"},
      {"{\"subnets\": [\"10.0.0.1/8\"]}", "subnets[0]: subnet '10.0.0.1/8' has host bits set"},
      {"{\"subnets\": [\"10.0.0.0/40\"]}", "prefix length must be 0..32"},
      {"{\"subnet\": []}", "unknown field 'subnet'"},
      {"{\"a\": " + deep + "}", "JSON nesting deeper than 16"},
      {many.dump(), "101 items; the limit is 100"},
      {"{\"wan_policy\": [1]}", "wan_policy must be a JSON object"},
      {"{\"wan_policy\": {\"cap\": 1}}", "body: wan_policy: "},  // what a node would refuse
      {"{\"parent\": 7}", "field 'parent' must be a string"},
      {"{\"parent\": \"nope\"}", "parent branch 'nope' does not exist"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.body.substr(0, 80));
    auto r = put(c.body);
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    CHECK(error_of(f, r).find(c.expect) != std::string::npos);
  }
  CHECK(put("{\"subnets\": [\"10.1.0.0/16\", \"fd00::/8\"], \"wan_policy\": {\"schema\": 1, \"default\": "
            "{\"download\": {\"bytes_per_s\": 1000000}}}}").status == 200);
}

TEST_CASE("an operator sets a branch's WAN policy (checked as nodes decode it); a viewer cannot; subnets stay") {
  test::ApiFixture f;
  REQUIRE(f.call("PUT", "/api/v1/branches/east", R"({"subnets": ["10.1.0.0/16"]})").status == 200);
  const std::string op = f.make_token("operator"), viewer = f.make_token("viewer");
  const std::string policy = R"({"schema": 1, "default": {"download": {"bytes_per_s": 2000000}}})";
  CHECK(f.call("PUT", "/api/v1/branches/east", R"({"subnets": []})", op).status == 403);
  CHECK(f.call("PUT", "/api/v1/branches/east/wan-policy", policy, viewer).status == 403);
  auto r = f.call("PUT", "/api/v1/branches/east/wan-policy", policy, op);
  REQUIRE(r.status == 200);
  CHECK(f.body(r)["subnets"] == nlohmann::json::array({"10.1.0.0/16"}));
  CHECK(f.body(r)["wan_policy"]["default"]["download"]["bytes_per_s"] == 2000000);
  auto bad = f.call("PUT", "/api/v1/branches/east/wan-policy", R"({"schema": 1, "windows": [{"start": "25:00"}]})", op);
  CHECK(bad.status == 400);
  CHECK(error_of(f, bad).find("body: wan_policy: ") != std::string::npos);
  CHECK(f.call("PUT", "/api/v1/branches/west/wan-policy", policy, op).status == 404);
  auto audit = f.body(f.call("GET", "/api/v1/audit?limit=100"));
  CHECK(audit["entries"].back()["action"] == "branch.wan_policy");
}

TEST_CASE("bad names, refs and stacks are refused with 4xx naming the field") {
  test::ApiFixture f;
  CHECK(f.call("PUT", "/api/v1/branches/Bad%20Name", "{}").status == 400);
  CHECK(f.call("PUT", "/api/v1/groups/g", R"({"members": ["xyz"]})").status == 400);
  CHECK(error_of(f, f.call("PUT", "/api/v1/groups/g", R"({"members": ["xyz"]})")).find("64 lower-case hex") != std::string::npos);
  CHECK(f.call("PUT", "/api/v1/branches/hq", "{}").status == 200);
  auto dup = f.call("PUT", "/api/v1/assignments/branch/hq", R"({"stack": ["a@1", "a@2"]})");
  CHECK(dup.status == 400);
  CHECK(error_of(f, dup).find("names layer 'a' twice") != std::string::npos);
  auto badref = f.call("PUT", "/api/v1/assignments/branch/hq", R"({"stack": ["a@zero"]})");
  CHECK(badref.status == 400);
  CHECK(error_of(f, badref).find("stack[0]") != std::string::npos);
  auto missing = f.call("PUT", "/api/v1/assignments/branch/hq", R"({"stack": ["a@1"]})");
  CHECK(missing.status == 404);
  CHECK(error_of(f, missing).find("layer a@1 is not published") != std::string::npos);
  CHECK(f.call("PUT", "/api/v1/assignments/planet/x", R"({"stack": []})").status == 400);
  CHECK(f.call("PUT", "/api/v1/assignments/branch/nowhere", R"({"stack": []})").status == 404);
  CHECK(f.call("GET", "/api/v1/audit?limit=0").status == 400);
  CHECK(f.call("GET", "/api/v1/audit?limit=abc").status == 400);
  CHECK(f.call("GET", "/api/v1/layers/not-a-ref").status == 400);
  CHECK(f.call("GET", "/api/v1/nothing-here").status == 404);
  CHECK(f.call("DELETE", "/api/v1/branches").status == 405);
  CHECK(f.call("GET", "/api/v1/%zz").status == 400);
}

TEST_CASE("admin routes need a token whose role allows the action: 401 without one, 403 below the role") {
  test::ApiFixture f;
  std::string viewer = f.make_token("viewer");
  std::string op = f.make_token("operator");
  CHECK(f.call("GET", "/api/v1/branches", "", "-").status == 401);
  CHECK(f.call("GET", "/api/v1/branches", "", "wrong-token").status == 401);
  CHECK(f.call("GET", "/api/v1/branches", "", viewer).status == 200);
  auto denied = f.call("PUT", "/api/v1/branches/hq", "{}", viewer);
  CHECK(denied.status == 403);
  CHECK(error_of(f, denied).find("needs role admin") != std::string::npos);
  CHECK(f.call("PUT", "/api/v1/branches/hq", "{}", op).status == 403);
  CHECK(f.call("PUT", "/api/v1/branches/hq", "{}").status == 200);
  CHECK(f.call("PUT", "/api/v1/assignments/branch/hq", R"({"stack": []})", op).status == 200);
  CHECK(f.call("PUT", "/api/v1/assignments/branch/hq", R"({"stack": []})", viewer).status == 403);
  CHECK(f.call("GET", "/api/v1/audit", "", viewer).status == 403);
  CHECK(f.call("GET", "/api/v1/audit", "", op).status == 200);
  CHECK(f.call("POST", "/api/v1/tokens", R"({"role": "admin"})", op).status == 403);
  CHECK(f.call("POST", "/api/v1/tokens", R"({"role": "root"})").status == 400);
}

TEST_CASE("an admin token with expires_in_s works until then and is refused after, with the reason") {
  test::ApiFixture f;
  auto created = f.call("POST", "/api/v1/tokens", R"({"role": "viewer", "expires_in_s": 60})");
  REQUIRE(created.status == 201);
  const std::string token = f.body(created)["token"], id = f.body(created)["id"];
  CHECK(f.body(created)["expires_at"] == 1'800'000'060);
  CHECK(f.call("GET", "/api/v1/branches", "", token).status == 200);
  f.clock.advance_ms(59'000);
  CHECK(f.call("GET", "/api/v1/branches", "", token).status == 200);
  f.clock.advance_ms(1'000);
  auto r = f.call("GET", "/api/v1/branches", "", token);
  CHECK(r.status == 401);
  CHECK(r.body.find("admin token " + id + " expired") != std::string::npos);
  CHECK(f.call("POST", "/api/v1/tokens", R"({"role": "viewer", "expires_in_s": 0})").status == 400);
}

TEST_CASE("revoking an admin token stops it from working at once") {
  test::ApiFixture f;
  auto created = f.call("POST", "/api/v1/tokens", R"({"role": "viewer", "name": "ci"})");
  REQUIRE(created.status == 201);
  std::string token = f.body(created)["token"], id = f.body(created)["id"];
  CHECK(f.call("GET", "/api/v1/branches", "", token).status == 200);
  CHECK(f.call("DELETE", "/api/v1/tokens/" + id).status == 200);
  CHECK(f.call("GET", "/api/v1/branches", "", token).status == 401);
  CHECK(f.call("DELETE", "/api/v1/tokens/" + id).status == 404);
  // The listing never shows a secret.
  auto list = f.call("GET", "/api/v1/tokens");
  CHECK(list.body.find("bct_") == std::string::npos);
}
