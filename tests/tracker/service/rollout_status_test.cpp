// The rollout aggregation: per-branch layer progress, bytes, cap, errors and stragglers.
#include <doctest/doctest.h>

#include "tracker/service/rollout_status.hpp"

using namespace bc::tracker;
using nlohmann::json;

namespace {
RolloutNode endpoint(const std::string& id, const std::string& branch, json report) {
  return {id, "endpoint", branch, {{"base@2", 1000}, {"app@1", 100}}, std::move(report)};
}
json report(const std::string& base_state, int64_t base_done, int64_t origin, const std::string& error = "",
            int64_t at = 1'800'000'000) {
  return {{"layers", {{{"ref", "base@2"}, {"state", base_state}, {"bytes_done", base_done}, {"bytes_total", 1000}}}},
          {"bytes_by_source", {{"origin", origin}, {"reflector", 10}, {"peer", 1}}},
          {"applied", {"app@1"}}, {"last_error", error}, {"received_at", at}};
}
const json* branch(const json& body, const std::string& name) {
  for (const auto& b : body["branches"])
    if (b["name"] == name) return &b;
  return nullptr;
}
const json* layer(const json& b, const std::string& ref) {
  for (const auto& l : b["layers"])
    if (l["ref"] == ref) return &l;
  return nullptr;
}
}  // namespace

TEST_CASE("done/total per layer, bytes by source and WAN bytes add up per branch, and reflectors count bytes but not layers") {
  RolloutInputs in;
  in.now_unix_s = 1'800'000'000;
  in.branches = {{"a", nullptr, 1, 2}, {"empty", nullptr, 0, 0}};
  in.nodes = {endpoint("e1", "a", report("applied", 1000, 500)),
              endpoint("e2", "a", report("downloading", 400, 300)),
              endpoint("e3", "a", report("failed", 0, 0, "disk full")),
              {"r1", "reflector", "a", {}, json{{"bytes_by_source", {{"origin", 2000}}}}}};
  StatusHistory h;
  json body = rollout_json(in, tally_rollout(in), h);
  CHECK(body["time"] == in.now_unix_s);
  const json* a = branch(body, "a");
  REQUIRE(a);
  CHECK((*a)["endpoints"] == 3);
  CHECK((*a)["reflectors"] == json{{"alive", 1}, {"total", 2}});
  CHECK((*a)["wan"]["bytes"] == 2800);
  CHECK((*a)["wan"]["rate_bytes_per_s"] == 0.0);
  CHECK((*a)["bytes_by_source"] == json{{"origin", 2800}, {"reflector", 30}, {"peer", 3}});
  const json* base = layer(*a, "base@2");
  REQUIRE(base);
  CHECK((*base)["done"] == 1);
  CHECK((*base)["total"] == 3);
  CHECK((*base)["downloading"] == 1);
  CHECK((*base)["failed"] == 1);
  CHECK((*base)["bytes_done"] == 1400);
  CHECK((*base)["bytes_total"] == 3000);
  CHECK((*base)["eta_s"].is_null());  // no history yet
  const json* app = layer(*a, "app@1");  // listed in "applied" by all three
  REQUIRE(app);
  CHECK((*app)["done"] == 3);
  CHECK((*app)["bytes_done"] == 300);
  CHECK((*a)["errors"] == json::array({{{"node", "e3"}, {"error", "disk full"}, {"time", 1'800'000'000}}}));
  CHECK((*a)["stragglers"].empty());  // 1 of 3 done: no majority yet
  CHECK((*a)["cap_bytes_per_s"].is_null());
  const json* empty = branch(body, "empty");
  REQUIRE(empty);
  CHECK((*empty)["layers"].empty());
  CHECK((*empty)["endpoints"] == 0);
}

TEST_CASE("stragglers are the endpoints behind a layer most of the branch has, or silent while others report") {
  RolloutInputs in;
  in.now_unix_s = 1'800'000'000;
  in.branches = {{"a", nullptr, 0, 0}};
  in.nodes = {endpoint("e1", "a", report("applied", 1000, 0)), endpoint("e2", "a", report("complete", 1000, 0)),
              endpoint("e3", "a", report("downloading", 10, 0)), endpoint("e4", "a", nullptr)};
  auto t = tally_rollout(in);
  CHECK(t["a"].stragglers == std::vector<std::string>{"e3", "e4"});
  json body = rollout_json(in, t, StatusHistory());
  CHECK(layer(*branch(body, "a"), "base@2")->at("bytes_total") == 4000);  // e4 counts the layer's size
}

TEST_CASE("the cap and window in force come from the branch's WAN policy, rates and ETAs from the history") {
  RolloutInputs in;
  in.now_unix_s = 1'800'000'000;  // a Friday, 08:00 UTC
  json policy = {{"schema", 1},
                 {"default", {{"download", {{"bytes_per_s", 2500000}}}}},
                 {"windows", {{{"days", {"fri"}}, {"start", "07:00"}, {"end", "18:00"},
                               {"download", {{"bytes_per_s", 262144}}}}}}};
  in.branches = {{"a", policy, 0, 0}, {"bad", json{{"schema", 99}}, 0, 0}};
  in.nodes = {endpoint("e1", "a", report("downloading", 0, 0))};
  StatusHistory h;
  auto t0 = tally_rollout(in);
  h.record("a", tally_sample(t0.at("a"), in.now_unix_s));
  in.now_unix_s += 4;
  in.nodes[0].report = report("downloading", 400, 4000);
  auto t1 = tally_rollout(in);
  h.record("a", tally_sample(t1.at("a"), in.now_unix_s));
  json body = rollout_json(in, t1, h);
  const json* a = branch(body, "a");
  CHECK((*a)["cap_bytes_per_s"] == 262144);
  CHECK((*a)["window"] == "fri 07:00-18:00");
  CHECK((*a)["wan"]["rate_bytes_per_s"] == doctest::Approx(1000.0));
  const json* base = layer(*a, "base@2");
  CHECK((*base)["eta_s"].get<double>() == doctest::Approx(6.0));  // 600 bytes left at 100 B/s
  const json* bad = branch(body, "bad");
  CHECK((*bad)["cap_bytes_per_s"].is_null());  // nodes run the default policy: no cap
}
