#include <doctest/doctest.h>

#include <random>

#include "reflector/cache/eviction_policy.hpp"

using namespace bc;
using namespace bc::reflector;

static CachedLayer layer(const char* name, uint64_t bytes, int64_t used, bool assigned = false,
                         bool busy = false) {
  return {{name, 1}, bytes, used, assigned, busy};
}

TEST_CASE("nothing is evicted while the cache and the incoming layer fit the quota") {
  auto p = plan_eviction({layer("a", 100, 1), layer("b", 100, 2)}, 300, 100);
  CHECK(p.evict.empty());
  CHECK(p.bytes_after == 200);
  CHECK_FALSE(p.still_over_quota);
}

TEST_CASE("least recently used unassigned layers go first, only as many as needed") {
  auto p = plan_eviction({layer("new", 100, 50), layer("old", 100, 10), layer("mid", 100, 30)}, 300, 150);
  REQUIRE(p.evict.size() == 2);
  CHECK(p.evict[0].name == "old");
  CHECK(p.evict[1].name == "mid");
  CHECK(p.bytes_after == 100);
}

TEST_CASE("assigned and busy layers are never evicted, even when that leaves the cache over quota") {
  auto p = plan_eviction({layer("assigned", 500, 1, true), layer("busy", 300, 2, false, true),
                          layer("idle", 100, 3)},
                         400, 0);
  REQUIRE(p.evict.size() == 1);
  CHECK(p.evict[0].name == "idle");
  CHECK(p.still_over_quota);
  CHECK(p.bytes_after == 800);
}

TEST_CASE("property: random caches never lose an assigned layer and end within quota when possible") {
  std::mt19937 rng(42);
  for (int iter = 0; iter < 500; ++iter) {
    std::vector<CachedLayer> cache;
    uint64_t protected_bytes = 0;
    int n = int(rng() % 12);
    for (int i = 0; i < n; ++i) {
      CachedLayer c{{"l" + std::to_string(i), 1}, 1 + rng() % 1000, int64_t(rng() % 100),
                    rng() % 3 == 0, rng() % 5 == 0};
      if (c.assigned_in_branch || c.busy) protected_bytes += c.bytes;
      cache.push_back(c);
    }
    uint64_t quota = rng() % 5000, incoming = rng() % 500;
    auto p = plan_eviction(cache, quota, incoming);
    for (const auto& ref : p.evict)
      for (const auto& c : cache)
        if (c.ref == ref) CHECK_FALSE((c.assigned_in_branch || c.busy));
    CHECK(p.still_over_quota == (p.bytes_after + incoming > quota));
    if (protected_bytes + incoming <= quota) CHECK_FALSE(p.still_over_quota);
  }
}
