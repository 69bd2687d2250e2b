// GET /api/v1/status/rollout and /api/v1/status/history over the full request
// pipeline (auth, routing, LMDB): real enrolled endpoints, real layers,
// status reports, the sampler stepped with the fixture's clock.
#include <doctest/doctest.h>

#include "tests/tracker/api/api_fixture.hpp"
#include "tracker/api/rollout_api.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {
std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}
HttpResponse get(test::ApiFixture& f, const std::string& target, const std::string& token,
                 const std::string& if_none_match = "") {
  HttpRequest req;
  req.method = "GET";
  req.target = target;
  req.remote_address = "192.0.2.1";
  req.headers["authorization"] = "Bearer " + token;
  if (!if_none_match.empty()) req.headers["if-none-match"] = if_none_match;
  return f.app->handle(req);
}
SecretKey enroll(test::ApiFixture& f, const std::string& address) {
  auto tok = f.call("POST", "/api/v1/enrollment-tokens", R"({"role": "endpoint"})");
  REQUIRE(tok.status == 201);
  auto key = SecretKey::generate();
  REQUIRE(f.node(key, "POST", "/api/v1/enroll", json{{"token", f.body(tok)["token"]}}.dump(), address).status == 201);
  return key;
}
void report(test::ApiFixture& f, const SecretKey& key, const std::string& state, int64_t done, int64_t origin) {
  json body = {{"layers", {{{"ref", "base@1"}, {"state", state}, {"bytes_done", done}, {"bytes_total", 1000}}}},
               {"bytes_by_source", {{"origin", origin}, {"reflector", 0}, {"peer", 0}}}};
  REQUIRE(f.node(key, "POST", "/api/v1/status", body.dump()).status == 200);
}
}  // namespace

TEST_CASE("the rollout status sums a branch's endpoints per layer, rates come from the sampler, ETags answer 304") {
  test::ApiFixture f;
  f.import_layer("base@1", {{"a.txt", "hello"}});
  REQUIRE(f.call("PUT", "/api/v1/branches/berlin",
                 R"({"subnets": ["10.1.0.0/16"], "wan_policy": {"schema": 1, "default": {"download": {"bytes_per_s": 2500000}}}})")
              .status == 200);
  REQUIRE(f.call("PUT", "/api/v1/assignments/branch/berlin", R"({"stack": ["base@1"]})").status == 200);
  auto e1 = enroll(f, "10.1.0.1"), e2 = enroll(f, "10.1.0.2");
  const std::string viewer = f.make_token("viewer");

  REQUIRE(sample_rollout(f.app->context(), f.app->status_history()).ok());
  report(f, e1, "downloading", 0, 0);
  report(f, e2, "downloading", 0, 0);
  f.clock.advance_ms(2000);
  REQUIRE(sample_rollout(f.app->context(), f.app->status_history()).ok());
  report(f, e1, "applied", 1000, 6000);
  report(f, e2, "downloading", 200, 2000);
  f.clock.advance_ms(2000);
  REQUIRE(sample_rollout(f.app->context(), f.app->status_history()).ok());

  auto r = get(f, "/api/v1/status/rollout", viewer);
  REQUIRE(r.status == 200);
  json body = f.body(r);
  REQUIRE(body["branches"].size() == 1);
  const json& b = body["branches"][0];
  CHECK(b["name"] == "berlin");
  CHECK(b["cap_bytes_per_s"] == 2500000);
  CHECK(b["endpoints"] == 2);
  CHECK(b["wan"]["bytes"] == 8000);
  CHECK(b["wan"]["rate_bytes_per_s"] == doctest::Approx(2000.0));  // 8000 bytes over 4 s
  REQUIRE(b["layers"].size() == 1);
  const json& l = b["layers"][0];
  CHECK(l["ref"] == "base@1");
  CHECK(l["done"] == 1);
  CHECK(l["total"] == 2);
  CHECK(l["bytes_done"] == 1200);
  CHECK(l["eta_s"].get<double>() == doctest::Approx(800.0 / 300.0));
  CHECK(b["stragglers"] == json::array({public_key_hex(e2.public_key())}));

  const std::string etag = header(r, "ETag");
  REQUIRE(!etag.empty());
  f.clock.advance_ms(1000);  // time alone moving: still 304
  CHECK(get(f, "/api/v1/status/rollout", viewer, etag).status == 304);
  report(f, e2, "applied", 1000, 2000);
  CHECK(get(f, "/api/v1/status/rollout", viewer, etag).status == 304);  // within the reuse window: one computation
  f.clock.advance_ms(1000);
  auto moved = get(f, "/api/v1/status/rollout", viewer, etag);
  CHECK(moved.status == 200);
  CHECK(f.body(moved)["branches"][0]["layers"][0]["done"] == 2);

  auto h = get(f, "/api/v1/status/history?branch=berlin&since=0", viewer);
  REQUIRE(h.status == 200);
  json samples = f.body(h)["samples"];
  REQUIRE(samples.size() == 3);
  CHECK(samples[2]["wan_bytes"] == 8000);
  CHECK(samples[2]["layers"]["base@1"] == json{{"done", 1}, {"total", 2}, {"bytes_done", 1200}, {"bytes_total", 2000}});
  CHECK(f.body(get(f, "/api/v1/status/history?branch=berlin&since=" + std::to_string(samples[2]["time"].get<int64_t>()),
                   viewer))["samples"].size() == 1);
  CHECK(get(f, "/api/v1/status/history?branch=berlin", viewer, header(h, "ETag")).status == 304);
}

TEST_CASE("the status routes refuse callers without a token, unknown branches and malformed queries precisely") {
  test::ApiFixture f;
  CHECK(f.call("GET", "/api/v1/status/rollout", "", "-").status == 401);
  CHECK(f.call("GET", "/api/v1/status/history?branch=x", "", "-").status == 401);
  auto missing = f.call("GET", "/api/v1/status/history");
  CHECK(missing.status == 400);
  CHECK(f.body(missing)["error"].get<std::string>().find("branch") != std::string::npos);
  auto unknown = f.call("GET", "/api/v1/status/history?branch=nowhere");
  CHECK(unknown.status == 404);
  CHECK(f.body(unknown)["error"] == "branch 'nowhere' does not exist");
  REQUIRE(f.call("PUT", "/api/v1/branches/b", R"({"subnets": []})").status == 200);
  CHECK(f.call("GET", "/api/v1/status/history?branch=b&since=yesterday").status == 400);
  auto empty = f.call("GET", "/api/v1/status/rollout");
  REQUIRE(empty.status == 200);
  CHECK(f.body(empty)["branches"][0]["layers"].empty());
}

TEST_CASE("[status] sample_interval_s defaults to 2 s and is bounded") {
  auto base = std::string("[storage]\ndata_dir = \"data\"\n[auth]\nsigning_key = \"k\"\n");
  auto d = parse_config(base, "/tmp");
  REQUIRE(d.ok());
  CHECK(d->status_sample_interval_s == 2);
  auto set = parse_config(base + "[status]\nsample_interval_s = 5\n", "/tmp");
  REQUIRE(set.ok());
  CHECK(set->status_sample_interval_s == 5);
  auto zero = parse_config(base + "[status]\nsample_interval_s = 0\n", "/tmp");
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.status().message() == "config: status.sample_interval_s = 0 is outside [1, 3600]");
  CHECK_FALSE(parse_config(base + "[status]\nevery = 5\n", "/tmp").ok());
}
