// The desired-state answer carries what a node's WAN governor needs: the
// probe port, the branch's policy and a reflector's share of the branch caps;
// the node-side parser validates it and falls back to the default policy.
#include <doctest/doctest.h>

#include "tests/tracker/api/api_fixture.hpp"
#include "tracker/client/wan_settings.hpp"

using namespace bc;
using nlohmann::json;

namespace {

const json kCapPolicy = {{"schema", 1}, {"latency_aware", false},
                         {"default", {{"download", {{"bytes_per_s", 1 << 20}}}}}};

SecretKey register_reflector(test::ApiFixture& f, const std::string& address, int64_t demand) {
  auto key = SecretKey::generate();
  auto tok = f.call("POST", "/api/v1/enrollment-tokens", json{{"role", "reflector"}, {"branch", "hq"}}.dump());
  REQUIRE(tok.status / 100 == 2);
  auto r = f.node(key, "POST", "/api/v1/reflectors/register",
                  json{{"token", f.body(tok)["token"]}, {"address", address}}.dump());
  REQUIRE_MESSAGE(r.status / 100 == 2, r.body);
  auto hb = f.node(key, "POST", "/api/v1/reflectors/heartbeat", json{{"wan_demand_bytes_per_s", demand}}.dump());
  REQUIRE_MESSAGE(hb.status == 200, hb.body);
  return key;
}

}  // namespace

TEST_CASE("desired state carries probe_port, the branch policy and each reflector's share of the branch cap") {
  test::ApiFixture f("[server]\nprobe_port = 47123\n");
  REQUIRE(f.call("PUT", "/api/v1/branches/hq", json{{"subnets", {"10.1.0.0/16"}}, {"wan_policy", kCapPolicy}}.dump())
              .status / 100 == 2);
  auto a = register_reflector(f, "10.1.0.2", 0);
  auto one = f.body(f.node(a, "GET", "/api/v1/desired"));
  CHECK(one["probe_port"] == 47123);
  CHECK(one["wan_policy"] == kCapPolicy);
  CHECK(one["wan_share"].get<double>() == doctest::Approx(1.0));

  // A second live reflector: one budget split between the two, by demand.
  auto b = register_reflector(f, "10.1.0.3", 900'000);
  auto sa = f.body(f.node(a, "GET", "/api/v1/desired"))["wan_share"].get<double>();
  auto sb = f.body(f.node(b, "GET", "/api/v1/desired"))["wan_share"].get<double>();
  MESSAGE("shares: idle " << sa << ", busy " << sb);
  CHECK(sa + sb <= 1.0 + 1e-9);
  CHECK(sb > sa);
  CHECK(sa > 0);

  // The node side reads the same answer into a decoded policy and share.
  auto w = tracker::wan_settings_from_desired(f.body(f.node(b, "GET", "/api/v1/desired")));
  CHECK(w.problem.empty());
  CHECK(w.probe_port == 47123);
  CHECK(w.share == doctest::Approx(sb));
  CHECK(w.policy.default_caps.download == governor::RateCap::absolute(1 << 20));
  CHECK_FALSE(w.policy.latency_aware);
}

TEST_CASE("without probe_port or policy the answer has no probe_port and the node uses the default policy") {
  test::ApiFixture f;
  REQUIRE(f.call("PUT", "/api/v1/branches/hq", json{{"subnets", {"10.1.0.0/16"}}}.dump()).status / 100 == 2);
  auto a = register_reflector(f, "10.1.0.2", 0);
  auto d = f.body(f.node(a, "GET", "/api/v1/desired"));
  CHECK_FALSE(d.contains("probe_port"));
  CHECK_FALSE(d.contains("wan_policy"));
  auto w = tracker::wan_settings_from_desired(d);
  CHECK(w.problem.empty());
  CHECK(w.policy == governor::WanPolicy{});
  CHECK(w.probe_port == 0);
}

TEST_CASE("a bad policy, port or share falls back to the default and says why") {
  auto w = tracker::wan_settings_from_desired(
      json{{"wan_policy", {{"cap_kbps", 20000}}}, {"probe_port", 70000}, {"wan_share", 1.5}});
  CHECK(w.policy == governor::WanPolicy{});
  CHECK(w.probe_port == 0);
  CHECK(w.share == 1.0);
  CHECK(w.problem.find("wan_policy refused") != std::string::npos);
  CHECK(w.problem.find("probe_port") != std::string::npos);
  CHECK(w.problem.find("wan_share") != std::string::npos);
}

TEST_CASE("endpoints of a branch without a live reflector split the branch cap; with one they get no share") {
  test::ApiFixture f("[server]\nprobe_port = 47123\n");
  REQUIRE(f.call("PUT", "/api/v1/branches/hq", json{{"subnets", {"10.1.0.0/16"}}, {"wan_policy", kCapPolicy}}.dump())
              .status / 100 == 2);
  std::vector<SecretKey> eps;
  for (int i = 0; i < 4; ++i) {
    eps.push_back(SecretKey::generate());
    auto tok = f.call("POST", "/api/v1/enrollment-tokens", json{{"role", "endpoint"}, {"branch", "hq"}}.dump());
    auto r = f.node(eps.back(), "POST", "/api/v1/enroll",
                    json{{"token", f.body(tok)["token"]}, {"facts", json::object()}}.dump());
    REQUIRE_MESSAGE(r.status / 100 == 2, r.body);
  }
  auto d = f.body(f.node(eps[0], "GET", "/api/v1/desired"));
  REQUIRE(d.contains("wan_share"));
  CHECK(d["wan_share"].get<double>() == doctest::Approx(0.25));
  CHECK(tracker::wan_settings_from_desired(d).share == doctest::Approx(0.25));
  register_reflector(f, "10.1.0.2", 0);
  CHECK_FALSE(f.body(f.node(eps[0], "GET", "/api/v1/desired")).contains("wan_share"));
}
