// reflector_wan_share: one branch budget split among its live reflectors.
#include <doctest/doctest.h>

#include "tracker/service/wan_share.hpp"

using namespace bc::tracker;
using nlohmann::json;

namespace {
const json kCap = {{"schema", 1}, {"default", {{"download", {{"bytes_per_s", 1'000'000}}}}}};
constexpr int64_t kMonday0900 = 1'699'862'400 + 3600;  // Monday 2023-11-13 09:00 UTC
}  // namespace

TEST_CASE("a lone reflector gets the whole cap and idle ones split it evenly") {
  CHECK(reflector_wan_share(kCap, kMonday0900, {}, "a") == doctest::Approx(1.0));
  CHECK(reflector_wan_share(kCap, kMonday0900, {{"a", 0}, {"b", 0}}, "a") == doctest::Approx(0.5));
}

TEST_CASE("shares follow demand and never sum above the cap") {
  std::vector<LiveReflector> live = {{"a", 100'000}, {"b", 2'000'000}, {"c", 0}};
  double sum = 0;
  for (const char* id : {"a", "b", "c"}) sum += reflector_wan_share(kCap, kMonday0900, live, id);
  CHECK(sum <= 1.0 + 1e-9);
  CHECK(reflector_wan_share(kCap, kMonday0900, live, "b") > reflector_wan_share(kCap, kMonday0900, live, "a"));
  CHECK(reflector_wan_share(kCap, kMonday0900, live, "a") >= 0.1);  // its demand is met in full
}

TEST_CASE("an uncapped or undecodable policy gives 1/n, and the cap in force at the time is the one split") {
  CHECK(reflector_wan_share(json::object(), kMonday0900, {{"a", 0}, {"b", 0}, {"c", 0}}, "c") ==
        doctest::Approx(1.0 / 3));
  CHECK(reflector_wan_share(json{{"cap_kbps", 1}}, kMonday0900, {{"a", 5}, {"b", 0}}, "a") == doctest::Approx(0.5));
  // 08:00-18:00 a 40,000 B/s cap: min share 16,384 each, the rest by demand.
  json windowed = {{"schema", 1},
                   {"windows", {{{"start", "08:00"}, {"end", "18:00"}, {"download", {{"bytes_per_s", 40'000}}}}}}};
  std::vector<LiveReflector> live = {{"a", 1'000'000}, {"b", 0}};
  CHECK(reflector_wan_share(windowed, kMonday0900, live, "a") == doctest::Approx(23'616.0 / 40'000));
  CHECK(reflector_wan_share(windowed, kMonday0900 + 10 * 3600, live, "a") == doctest::Approx(0.5));  // 19:00: uncapped
}

TEST_CASE("endpoints falling back to the origin split the branch's caps evenly; none counts as one") {
  CHECK(endpoint_wan_share(4) == doctest::Approx(0.25));
  CHECK(endpoint_wan_share(1) == 1.0);
  CHECK(endpoint_wan_share(0) == 1.0);
}
