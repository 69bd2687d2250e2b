#include <doctest/doctest.h>

#include <numeric>
#include <vector>

#include "layers/governor/budget_split.hpp"

using namespace bc::governor;

namespace {
int64_t sum(const std::vector<int64_t>& v) { return std::accumulate(v.begin(), v.end(), int64_t(0)); }
}  // namespace

TEST_CASE("a branch budget is split max-min fairly by demand among live reflectors") {
  std::vector<ReflectorDemand> d = {{true, 100'000}, {true, 2'000'000}, {false, 5'000'000}, {true, 3'000'000}};
  auto s = split_budget(1'000'000, d, 50'000);
  CHECK(s[2] == 0);                 // dead
  CHECK(s[0] == 100'000);           // small demand met in full
  CHECK(s[1] == 450'000);           // the rest split equally between the big ones
  CHECK(s[3] == 450'000);
  CHECK(sum(s) <= 1'000'000);
}

TEST_CASE("budget left over when every demand is met is spread so reflectors can grow") {
  std::vector<ReflectorDemand> d = {{true, 100'000}, {true, 200'000}};
  auto s = split_budget(1'000'000, d, 0);
  CHECK(s[0] == 100'000 + 350'000);
  CHECK(s[1] == 200'000 + 350'000);
  CHECK(sum(s) == 1'000'000);
}

TEST_CASE("every live reflector gets the minimum share, bounded by cap over count") {
  std::vector<ReflectorDemand> d = {{true, 0}, {true, 0}, {true, 10'000'000}};
  auto s = split_budget(90'000, d, 50'000);
  CHECK(s[0] == 30'000);
  CHECK(s[1] == 30'000);
  CHECK(s[2] == 30'000);
  auto u = split_budget(kNoLimit, d, 50'000);
  CHECK(u[0] == kNoLimit);
  CHECK(split_budget(1'000, std::vector<ReflectorDemand>{}, 0).empty());
  std::vector<ReflectorDemand> dead = {{false, 1}};
  CHECK(split_budget(1'000, dead, 0)[0] == 0);
}
