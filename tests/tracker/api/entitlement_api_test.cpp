// Entitlement beyond /announce, through the full in-process pipeline
// (TrackerApp, real LMDB): the layer API's manifest and torrent, scrape, a
// hub's reflector, and the forbidden counter on /metrics.
#include <doctest/doctest.h>

#include "layers/util/hex.hpp"
#include "tests/support/bt_query.hpp"
#include "tests/support/metrics_text.hpp"
#include "tests/tracker/api/api_fixture.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/bt/info_hash.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;
using test::percent;

namespace {

// Branch "a" (10.1/16) is assigned base@1, branch "b" (10.2/16) other@1.
struct Branches {
  test::ApiFixture f;
  std::map<std::string, std::string> raw_hash;  // ref -> 20-byte swarm key

  Branches() {
    for (auto [ref, file] : {std::pair{"base@1", "a"}, std::pair{"other@1", "b"}})
      raw_hash[ref] = f.import_layer(ref, {{"etc/" + std::string(file), "x"}});
    put("/api/v1/branches/a", {{"subnets", {"10.1.0.0/16"}}});
    put("/api/v1/branches/b", {{"subnets", {"10.2.0.0/16"}}});
    put("/api/v1/assignments/branch/a", {{"stack", {"base@1"}}});
    put("/api/v1/assignments/branch/b", {{"stack", {"other@1"}}});
  }
  void put(const std::string& target, const json& body) {
    auto r = f.call("PUT", target, body.dump());
    REQUIRE_MESSAGE(r.status / 100 == 2, r.body);
  }
  HttpResponse bt_get(const std::string& target) {
    HttpRequest req;
    req.method = "GET";
    req.target = target;
    req.remote_address = "10.1.2.3";
    return f.app->handle(req);
  }
  double forbidden(const std::string& route) {
    auto page = f.call("GET", "/metrics");
    return test::metric_value(page.body, "bc_tracker_forbidden_total{route=\"" + route + "\"}").value_or(0);
  }
};

}  // namespace

TEST_CASE("a node of branch a reads its own layer's manifest and torrent, gets 403 for branch b's, and each refusal is counted") {
  Branches w;
  auto node = SecretKey::generate();
  w.f.join(node, "endpoint", "a");
  CHECK(w.f.node(node, "GET", "/api/v1/layers/base@1/manifest").status == 200);
  CHECK(w.f.node(node, "GET", "/api/v1/layers/base@1/torrent").status == 200);
  auto m = w.f.node(node, "GET", "/api/v1/layers/other@1/manifest");
  CHECK(m.status == 403);
  CHECK(w.f.body(m)["error"] == "node " + to_hex(node.public_key()) +
                                    " is not entitled to layer other@1 (it is not in the node's desired stack, "
                                    "nor needed by its branch)");
  CHECK(w.f.node(node, "GET", "/api/v1/layers/other@1/torrent").status == 403);
  // A layer that does not exist is refused the same way: a node learns nothing of layers not its own.
  CHECK(w.f.node(node, "GET", "/api/v1/layers/secret@9/manifest").status == 403);
  CHECK(w.forbidden("manifest") == 2);
  CHECK(w.forbidden("torrent") == 1);
  // Admins keep their role rules.
  CHECK(w.f.call("GET", "/api/v1/layers/other@1/manifest", "", w.f.make_token("viewer")).status == 200);
}

TEST_CASE("nodes may not list or show the layer catalog; admins may") {
  Branches w;
  auto node = SecretKey::generate();
  w.f.join(node, "endpoint", "a");
  CHECK(w.f.node(node, "GET", "/api/v1/layers").status == 401);
  CHECK(w.f.node(node, "GET", "/api/v1/layers/base@1").status == 401);
  CHECK(w.f.call("GET", "/api/v1/layers").status == 200);
  CHECK(w.f.call("GET", "/api/v1/layers/base@1").status == 200);
}

TEST_CASE("entitlement on the layer API follows an assignment change at once") {
  Branches w;
  auto node = SecretKey::generate();
  w.f.join(node, "endpoint", "a");
  CHECK(w.f.node(node, "GET", "/api/v1/layers/other@1/manifest").status == 403);
  w.put("/api/v1/assignments/endpoint/" + to_hex(node.public_key()), {{"stack", {"other@1"}}});
  CHECK(w.f.node(node, "GET", "/api/v1/layers/other@1/manifest").status == 200);
  CHECK(w.f.node(node, "GET", "/api/v1/layers/base@1/manifest").status == 403);
}

TEST_CASE("a reflector reads what its branch's endpoints need, not another branch's layers") {
  Branches w;
  auto refl = SecretKey::generate();
  w.f.join(refl, "reflector", "a");
  CHECK(w.f.node(refl, "GET", "/api/v1/layers/base@1/torrent").status == 200);
  CHECK(w.f.node(refl, "GET", "/api/v1/layers/other@1/torrent").status == 403);
}

TEST_CASE("scrape leaves out the hashes a node is not entitled to and counts them") {
  Branches w;
  std::string key = w.f.join(SecretKey::generate(), "endpoint", "a");
  auto r = w.bt_get("/scrape?bckey=" + key + "&info_hash=" + percent(w.raw_hash["base@1"]) +
                    "&info_hash=" + percent(w.raw_hash["other@1"]));
  REQUIRE(r.status == 200);
  CHECK(r.body.find(w.raw_hash["base@1"]) != std::string::npos);
  CHECK(r.body.find(w.raw_hash["other@1"]) == std::string::npos);
  CHECK(w.forbidden("scrape") == 1);
  auto a = w.bt_get(test::announce_target(key, w.raw_hash["other@1"], 100));
  CHECK(a.body.find("is not entitled to layer") != std::string::npos);
  CHECK(w.forbidden("announce") == 1);
}

TEST_CASE("a hub's reflector is entitled to what its child branches need, on announce and the layer API") {
  Branches w;
  // "emea" is a hub: branch b names it as parent. Branch a does not.
  w.put("/api/v1/branches/emea", {{"subnets", {"10.50.0.0/16"}}});
  w.put("/api/v1/branches/b", {{"subnets", {"10.2.0.0/16"}}, {"parent", "emea"}});
  w.put("/api/v1/branches/b2", {{"subnets", {"10.3.0.0/16"}}, {"parent", "b"}});  // a grandchild
  auto hub = SecretKey::generate(), other = SecretKey::generate();
  std::string hub_key = w.f.join(hub, "reflector", "emea");
  std::string other_key = w.f.join(other, "reflector", "a");
  CHECK(w.f.node(hub, "GET", "/api/v1/layers/other@1/manifest").status == 200);
  CHECK(w.f.node(hub, "GET", "/api/v1/layers/base@1/manifest").status == 403);
  auto ann = w.bt_get(test::announce_target(hub_key, w.raw_hash["other@1"], 100));
  CHECK_MESSAGE(ann.body.find("failure") == std::string::npos, ann.body);
  CHECK(w.bt_get(test::announce_target(other_key, w.raw_hash["other@1"], 100)).body.find("not entitled") !=
        std::string::npos);
  // What a grandchild's endpoint needs reaches the hub too.
  auto ep = SecretKey::generate();
  w.f.join(ep, "endpoint", "b2");
  w.put("/api/v1/assignments/endpoint/" + to_hex(ep.public_key()), {{"stack", {"base@1"}}});
  CHECK(w.f.node(hub, "GET", "/api/v1/layers/base@1/manifest").status == 200);
}
