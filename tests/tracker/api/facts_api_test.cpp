// PUT /api/v1/facts: an enrolled endpoint updates its hardware facts, and the
// driver layers of its desired state follow them.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/tracker/api/api_fixture.hpp"
#include "tests/tracker/support/layer_fixture.hpp"

using namespace bc;
using nlohmann::json;

namespace {

std::vector<std::string> stack_refs(const json& desired) {
  std::vector<std::string> out;
  for (const auto& l : desired["stack"]) out.push_back(l["ref"].get<std::string>());
  return out;
}

// Branch "a" is assigned base@1 and two driver layers, one per GPU vendor.
struct World {
  test::ApiFixture f;
  World() {
    f.import_layer("base@1", {{"etc/os", "base"}});
    for (auto [ref, glob] : {std::pair{"nvidia@1", "*10de:*"}, std::pair{"amd@1", "*1002:*"}}) {
      std::string dir = test::make_layer_dir(f.tmp.path(), ref, {{"etc/gpu", ref}}, LayerKind::driver,
                                             {{"pci_display", glob}});
      REQUIRE(f.call("POST", "/api/v1/layers/import", json{{"dir", dir}}.dump()).status == 201);
    }
    REQUIRE(f.call("PUT", "/api/v1/branches/a", json{{"subnets", {"10.1.0.0/16"}}}.dump()).status / 100 == 2);
    REQUIRE(f.call("PUT", "/api/v1/assignments/branch/a", json{{"stack", {"base@1", "nvidia@1", "amd@1"}}}.dump())
                .status / 100 == 2);
  }
  json desired(const SecretKey& k) {
    auto r = f.node(k, "GET", "/api/v1/desired");
    REQUIRE(r.status == 200);
    return f.body(r);
  }
  tracker::HttpResponse put(const SecretKey& k, const json& body) {
    return f.node(k, "PUT", "/api/v1/facts", body.dump());
  }
};

}  // namespace

TEST_CASE("an endpoint's new hardware facts change which driver layers it gets, at once") {
  World w;
  SecretKey ep = SecretKey::generate();
  w.f.join(ep, "endpoint", "a");  // enrolled without facts: no driver layer matches
  CHECK(stack_refs(w.desired(ep)) == std::vector<std::string>{"base@1"});

  auto r = w.put(ep, {{"facts", {{"pci_display", "10de:1eb8"}, {"vendor", "Dell Inc."}}}});
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(w.f.body(r)["changed"] == true);
  CHECK(stack_refs(w.desired(ep)) == std::vector<std::string>{"base@1", "nvidia@1"});

  // The same facts again: nothing changes, nothing is written or audited.
  r = w.put(ep, {{"facts", {{"pci_display", "10de:1eb8"}, {"vendor", "Dell Inc."}}}});
  CHECK(w.f.body(r)["changed"] == false);

  r = w.put(ep, {{"facts", {{"pci_display", "1002:73ff"}}}});  // the card was swapped
  CHECK(w.f.body(r)["changed"] == true);
  CHECK(stack_refs(w.desired(ep)) == std::vector<std::string>{"base@1", "amd@1"});
  auto rec = w.f.body(w.f.call("GET", "/api/v1/endpoints"));
  REQUIRE(rec.size() == 1);
  CHECK(rec[0]["facts"] == json{{"pci_display", "1002:73ff"}});

  auto audit = w.f.body(w.f.call("GET", "/api/v1/audit"));
  int facts_entries = 0;
  for (const auto& e : audit.is_array() ? audit : audit.value("entries", json::array()))
    if (e.value("action", "") == "endpoint.facts") ++facts_entries;
  CHECK(facts_entries == 2);
}

TEST_CASE("PUT /api/v1/facts refuses bad bodies, reflectors and strangers") {
  World w;
  SecretKey ep = SecretKey::generate();
  w.f.join(ep, "endpoint", "a");
  CHECK(w.put(ep, json::object()).status == 400);                              // no facts
  CHECK(w.put(ep, {{"facts", "dell"}}).status == 400);                          // not an object
  CHECK(w.put(ep, {{"facts", {{"vendor", 42}}}}).status == 400);                // not a string
  CHECK(w.put(ep, {{"facts", json::object()}, {"branch", "b"}}).status == 400);  // unknown field
  json many = json::object();
  for (int i = 0; i < 300; ++i) many["k" + std::to_string(i)] = "v";
  CHECK(w.put(ep, {{"facts", many}}).status == 400);                            // over 256 pairs
  CHECK(w.put(ep, {{"facts", {{"vendor", std::string(5000, 'x')}}}}).status == 400);  // over 4 KiB

  SecretKey refl = SecretKey::generate();
  w.f.join(refl, "reflector", "a");
  CHECK(w.put(refl, {{"facts", {{"vendor", "x"}}}}).status == 403);
  CHECK(w.put(SecretKey::generate(), {{"facts", {{"vendor", "x"}}}}).status == 403);  // not enrolled
  // The refused requests changed nothing.
  CHECK(stack_refs(w.desired(ep)) == std::vector<std::string>{"base@1"});
}
