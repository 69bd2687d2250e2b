#include <doctest/doctest.h>

#include "tracker/service/desired_state.hpp"

using namespace bc;
using namespace bc::tracker;

namespace {
LayerRef ref(const char* s) { return *LayerRef::parse(s); }

AssignmentView make_view() {
  AssignmentView v;
  auto add = [&](const char* r, LayerKind k, std::map<std::string, std::string> match = {}) {
    LayerInfo l;
    l.ref = ref(r);
    l.kind = k;
    l.match = std::move(match);
    l.info_hash = std::string(64, 'a');
    v.layers[l.ref] = l;
  };
  add("base@3", LayerKind::base);
  add("base@4", LayerKind::base);
  add("office@5", LayerKind::app);
  add("dell@1", LayerKind::driver, {{"vendor", "Dell*"}});
  add("hp@1", LayerKind::driver, {{"vendor", "HP*"}});
  v.by_branch["hq"] = {ref("base@3"), ref("office@5"), ref("dell@1"), ref("hp@1")};
  v.by_group["pilot"] = {ref("base@4"), ref("office@5")};
  v.by_group["zeta"] = {ref("base@3")};
  v.by_endpoint["e-special"] = {ref("base@4")};
  v.groups_of["e-pilot"] = {"pilot", "zeta"};
  v.parent_of["hq-floor2"] = "hq";
  return v;
}
EndpointFacts endpoint(const char* id, const char* branch, const char* vendor = "Dell Inc.") {
  return {id, branch, {{"vendor", vendor}}};
}
std::vector<std::string> refs(const std::vector<LayerInfo>& ls) {
  std::vector<std::string> out;
  for (const auto& l : ls) out.push_back(l.ref.to_string());
  return out;
}
}  // namespace

TEST_CASE("precedence: an endpoint's own assignment beats its group's, which beats its branch's") {
  auto v = make_view();
  auto own = effective_stack(endpoint("e-special", "hq"), v);
  CHECK(own.source == "endpoint");
  CHECK(refs(own.layers) == std::vector<std::string>{"base@4"});
  auto grouped = effective_stack(endpoint("e-pilot", "hq"), v);
  CHECK(grouped.source == "group:pilot");  // of two groups, the first by name
  CHECK(refs(grouped.layers) == std::vector<std::string>{"base@4", "office@5"});
  auto plain = effective_stack(endpoint("e-1", "hq"), v);
  CHECK(plain.source == "branch:hq");
}

TEST_CASE("driver layers are kept only for endpoints whose hardware facts match, with the skip explained") {
  auto v = make_view();
  auto dell = effective_stack(endpoint("e-1", "hq", "Dell Inc."), v);
  CHECK(refs(dell.layers) == std::vector<std::string>{"base@3", "office@5", "dell@1"});
  REQUIRE(dell.skipped.size() == 1);
  CHECK(dell.skipped[0].ref.to_string() == "hp@1");
  CHECK(dell.skipped[0].reason.find("hardware") != std::string::npos);
  auto none = effective_stack(EndpointFacts{"e-2", "hq", {}}, v);
  CHECK(refs(none.layers) == std::vector<std::string>{"base@3", "office@5"});
}

TEST_CASE("a branch without an assignment inherits its parent's; no assignment anywhere gives an empty stack") {
  auto v = make_view();
  auto child = effective_stack(endpoint("e-3", "hq-floor2"), v);
  CHECK(child.source == "branch:hq");
  CHECK(child.layers.size() == 3);
  auto orphan = effective_stack(endpoint("e-4", "elsewhere"), v);
  CHECK(orphan.source == "none");
  CHECK(orphan.layers.empty());
}

TEST_CASE("retired and unknown layers are skipped from a stack with their reasons") {
  auto v = make_view();
  v.layers[ref("office@5")].retired = true;
  v.by_endpoint["e-x"] = {ref("base@3"), ref("office@5"), ref("ghost@1")};
  auto d = effective_stack(endpoint("e-x", "hq"), v);
  CHECK(refs(d.layers) == std::vector<std::string>{"base@3"});
  REQUIRE(d.skipped.size() == 2);
  CHECK(d.skipped[0].reason == "layer is retired");
  CHECK(d.skipped[1].reason == "unknown layer");
}

TEST_CASE("a reflector's layer set is the union of its branch's endpoint stacks and the branch assignment") {
  auto v = make_view();
  std::vector<EndpointFacts> eps = {endpoint("e-special", "hq"), endpoint("e-pilot", "hq"),
                                    endpoint("e-1", "hq", "HP Elite")};
  auto layers = reflector_layers("hq", eps, v);
  CHECK(refs(layers) ==
        std::vector<std::string>{"base@3", "base@4", "dell@1", "hp@1", "office@5"});
  CHECK(refs(reflector_layers("nowhere", {}, v)).empty());
}
