// The reflector's pure decision core: prefetch order, eviction as assignments
// change, failures and retries. No sockets, files or clock.
#include <doctest/doctest.h>

#include "reflector/agent/reflector_core.hpp"

using namespace bc;
using namespace bc::reflector;

namespace {
DesiredLayer L(const std::string& name, uint32_t v, uint64_t bytes) {
  return {LayerRef{name, v}, name + std::to_string(v), bytes};
}
ReflectorCoreOptions opts(uint64_t quota, int parallel = 2) {
  ReflectorCoreOptions o;
  o.quota_bytes = quota;
  o.max_parallel_fetches = parallel;
  o.retry_min_ms = 1000;
  o.retry_max_ms = 8000;
  return o;
}
std::vector<std::string> names(const std::vector<Action>& a, Action::Kind k) {
  std::vector<std::string> out;
  for (const auto& x : a)
    if (x.kind == k) out.push_back(x.ref.to_string());
  return out;
}
}  // namespace

TEST_CASE("options without a quota or with a zero parallelism are refused") {
  CHECK_FALSE(ReflectorCoreOptions{}.validate().ok());
  auto o = opts(100);
  CHECK(o.validate().ok());
  o.max_parallel_fetches = 0;
  CHECK_FALSE(o.validate().ok());
}

TEST_CASE("desired layers are prefetched in the tracker's order at most max_parallel_fetches at once") {
  ReflectorCore core(opts(1000, 2));
  core.set_desired({L("a", 1, 10), L("b", 1, 10), L("c", 1, 10)});
  auto first = core.plan(0);
  CHECK(names(first, Action::fetch) == std::vector<std::string>{"a@1", "b@1"});
  CHECK(core.plan(1).empty());  // nothing is repeated while they run
  core.on_fetch_done(LayerRef{"a", 1}, 10, 5);
  CHECK(names(core.plan(6), Action::fetch) == std::vector<std::string>{"c@1"});
  core.on_fetch_done(LayerRef{"b", 1}, 10, 7);
  core.on_fetch_done(LayerRef{"c", 1}, 10, 8);
  CHECK(core.plan(9).empty());
  CHECK(core.cache().at(LayerRef{"c", 1}).state == CacheState::seeding);
  CHECK(core.cache_bytes() == 30);
  CHECK(core.free_bytes() == 970);
}

TEST_CASE("a layer no longer assigned stays cached until the quota needs its room then the least recently used goes first") {
  ReflectorCore core(opts(100, 4));
  core.set_desired({L("a", 1, 40), L("b", 1, 40)});
  core.plan(0);
  core.on_fetch_done(LayerRef{"a", 1}, 40, 10);
  core.on_fetch_done(LayerRef{"b", 1}, 40, 20);
  core.on_used(LayerRef{"a", 1}, 30);  // a served recently: b is now the older
  core.set_desired({L("c", 1, 10)});
  auto p1 = core.plan(40);
  CHECK(names(p1, Action::evict).empty());  // 80 + 10 fits
  core.on_fetch_done(LayerRef{"c", 1}, 10, 50);
  core.set_desired({L("c", 1, 10), L("d", 1, 45)});
  auto p2 = core.plan(60);
  CHECK(names(p2, Action::evict) == std::vector<std::string>{"b@1"});
  CHECK(names(p2, Action::fetch) == std::vector<std::string>{"d@1"});
  CHECK(core.cache().count(LayerRef{"a", 1}) == 1);
}

TEST_CASE("a lowered quota evicts unassigned layers, least recently used first, never assigned ones") {
  ReflectorCore core(opts(100, 4));
  core.set_desired({L("a", 1, 30), L("b", 1, 30), L("c", 1, 30)});
  core.plan(0);
  core.on_fetch_done(LayerRef{"a", 1}, 30, 10);
  core.on_fetch_done(LayerRef{"b", 1}, 30, 20);
  core.on_fetch_done(LayerRef{"c", 1}, 30, 30);
  core.set_desired({L("c", 1, 30)});
  CHECK_FALSE(core.set_quota(0).ok());
  REQUIRE(core.set_quota(50).ok());
  auto p = core.plan(1'000'000);
  CHECK(names(p, Action::evict) == std::vector<std::string>{"a@1", "b@1"});
  CHECK(core.cache_bytes() == 30);
  CHECK(core.last_error().empty());
  REQUIRE(core.set_quota(10).ok());  // below what the branch needs: it stays, and says so
  CHECK(names(core.plan(1'000'001), Action::evict).empty());
  CHECK(core.last_error().find("over its quota of 10 bytes") != std::string::npos);
}

TEST_CASE("assigned and downloading layers are never evicted and a set that cannot fit waits with an error") {
  ReflectorCore core(opts(100, 1));
  core.set_desired({L("a", 1, 60), L("b", 1, 60)});
  auto p = core.plan(0);
  CHECK(names(p, Action::fetch) == std::vector<std::string>{"a@1"});
  core.on_fetch_done(LayerRef{"a", 1}, 60, 1);
  auto p2 = core.plan(2);
  CHECK(p2.empty());
  CHECK(core.last_error().find("b@1") != std::string::npos);
  CHECK(core.cache().count(LayerRef{"a", 1}) == 1);
  // Unassigning a lets b in: a is evicted for it.
  core.set_desired({L("b", 1, 60)});
  auto p3 = core.plan(3);
  CHECK(names(p3, Action::evict) == std::vector<std::string>{"a@1"});
  CHECK(names(p3, Action::fetch) == std::vector<std::string>{"b@1"});
  CHECK(core.last_error().empty());
}

TEST_CASE("a failed fetch is retried after a doubling backoff and dropped once unassigned") {
  ReflectorCore core(opts(100, 1));
  core.set_desired({L("a", 1, 10), L("b", 1, 10)});
  CHECK(names(core.plan(0), Action::fetch) == std::vector<std::string>{"a@1"});
  core.on_fetch_failed(LayerRef{"a", 1}, "manifest signature does not verify", 100);
  CHECK(core.cache().at(LayerRef{"a", 1}).last_error == "manifest signature does not verify");
  // a waits; b goes ahead.
  CHECK(names(core.plan(200), Action::fetch) == std::vector<std::string>{"b@1"});
  core.on_fetch_done(LayerRef{"b", 1}, 10, 300);
  CHECK(core.plan(1099).empty());
  CHECK(names(core.plan(1100), Action::fetch) == std::vector<std::string>{"a@1"});
  core.on_fetch_failed(LayerRef{"a", 1}, "again", 1200);
  CHECK(core.plan(3199).empty());  // second failure: 2 s
  CHECK(names(core.plan(3200), Action::fetch) == std::vector<std::string>{"a@1"});
  core.on_fetch_failed(LayerRef{"a", 1}, "again", 4000);
  core.set_desired({L("b", 1, 10)});
  auto p = core.plan(4001);
  CHECK(names(p, Action::evict) == std::vector<std::string>{"a@1"});
  CHECK(core.cache().count(LayerRef{"a", 1}) == 0);
}

TEST_CASE("an oversized desired set is cut at max_layers with an error") {
  auto o = opts(1000, 8);
  o.max_layers = 2;
  ReflectorCore core(o);
  core.set_desired({L("a", 1, 1), L("b", 1, 1), L("c", 1, 1)});
  CHECK(core.desired().size() == 2);
  CHECK(core.last_error().find("only the first 2") != std::string::npos);
}

TEST_CASE("a new version assigned while the old one is mid-fetch waits for it, so the delta is fetched against it") {
  ReflectorCore core(opts(1000, 2));
  core.set_desired({L("base", 1, 100), L("app", 1, 10)});
  CHECK(names(core.plan(0), Action::fetch) == std::vector<std::string>{"base@1", "app@1"});
  core.on_fetch_done(LayerRef{"app", 1}, 10, 5);  // a fetch slot is free
  core.set_desired({L("base", 2, 100), L("app", 1, 10), L("drv", 1, 10)});
  // base@2 waits for base@1 (still fetching, no longer assigned); drv goes ahead.
  CHECK(names(core.plan(10), Action::fetch) == std::vector<std::string>{"drv@1"});
  core.on_fetch_done(LayerRef{"drv", 1}, 10, 15);
  CHECK(core.plan(20).empty());
  CHECK(core.cache().at(LayerRef{"base", 1}).state == CacheState::fetching);  // not dropped
  core.on_fetch_done(LayerRef{"base", 1}, 100, 30);
  CHECK(names(core.plan(31), Action::fetch) == std::vector<std::string>{"base@2"});
}

TEST_CASE("a new version does not wait for an older one whose fetch failed") {
  ReflectorCore core(opts(1000, 2));
  core.set_desired({L("base", 1, 100)});
  core.plan(0);
  core.set_desired({L("base", 2, 100)});
  CHECK(core.plan(1).empty());
  core.on_fetch_failed(LayerRef{"base", 1}, "tracker unreachable", 2);
  auto p = core.plan(3);
  CHECK(names(p, Action::evict) == std::vector<std::string>{"base@1"});  // unassigned and failed: dropped
  CHECK(names(p, Action::fetch) == std::vector<std::string>{"base@2"});
}

TEST_CASE("serving counts as use: a layer whose upload counter grew is refreshed for LRU and the other goes first") {
  ReflectorCore core(opts(100, 4));
  core.set_desired({L("a", 1, 40), L("b", 1, 40)});
  core.plan(0);
  core.on_fetch_done(LayerRef{"a", 1}, 40, 10);
  core.on_fetch_done(LayerRef{"b", 1}, 40, 20);
  core.on_upload(LayerRef{"a", 1}, 0, 25);       // the counter's first reading: nothing served yet
  core.on_upload(LayerRef{"a", 1}, 16384, 100);  // a served a peer: now the most recent
  CHECK(core.cache().at(LayerRef{"a", 1}).last_used_ms == 100);
  core.set_desired({L("d", 1, 45)});
  auto p = core.plan(200'000);  // long after the serving window: LRU alone decides
  CHECK(names(p, Action::evict) == std::vector<std::string>{"b@1"});
  CHECK(core.cache().count(LayerRef{"a", 1}) == 1);
}

TEST_CASE("a layer served within serving_window_ms is busy and never evicted; after the window it may go") {
  auto o = opts(100, 1);
  o.serving_window_ms = 30'000;
  ReflectorCore core(o);
  core.set_desired({L("a", 1, 60)});
  core.plan(0);
  core.on_fetch_done(LayerRef{"a", 1}, 60, 10);
  core.on_upload(LayerRef{"a", 1}, 0, 20);
  core.on_upload(LayerRef{"a", 1}, 1'000'000, 1'000);  // serving the branch right now
  core.set_desired({L("b", 1, 60)});                   // a is no longer assigned
  CHECK(core.busy(core.cache().at(LayerRef{"a", 1}), 30'999));
  auto p = core.plan(30'999);
  CHECK(names(p, Action::evict).empty());
  CHECK(names(p, Action::fetch).empty());
  CHECK(core.last_error().find("b@1") != std::string::npos);
  CHECK(core.cache().count(LayerRef{"a", 1}) == 1);
  // The counter did not move: the window ends 30 s after the last growth.
  core.on_upload(LayerRef{"a", 1}, 1'000'000, 20'000);
  auto p2 = core.plan(31'000);
  CHECK(names(p2, Action::evict) == std::vector<std::string>{"a@1"});
  CHECK(names(p2, Action::fetch) == std::vector<std::string>{"b@1"});
}

TEST_CASE("a smaller upload reading (the layer was added to the session again) is a new baseline, not a use") {
  ReflectorCore core(opts(100, 1));
  core.set_desired({L("a", 1, 60)});
  core.plan(0);
  core.on_fetch_done(LayerRef{"a", 1}, 60, 10);
  core.on_upload(LayerRef{"a", 1}, 5'000, 20);
  core.on_upload(LayerRef{"a", 1}, 100, 40);
  CHECK(core.cache().at(LayerRef{"a", 1}).last_used_ms == 20);
  core.on_upload(LayerRef{"a", 1}, 200, 50);
  CHECK(core.cache().at(LayerRef{"a", 1}).last_used_ms == 50);
  auto bad = opts(100);
  bad.serving_window_ms = -1;
  CHECK_FALSE(bad.validate().ok());
}
