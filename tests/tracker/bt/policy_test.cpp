#include <doctest/doctest.h>

#include <algorithm>

#include "tests/tracker/bt/swarm_fixture.hpp"

using namespace bc;
using namespace bc::tracker::bt;
using namespace bc::tracker::bt::test;

namespace {

// origin O; branch b1: reflectors r1 (60%), r2 (seed); endpoints e1 (holds), e2 (empty), me;
// branch b2: reflector x1, endpoint x2 (holds).
void fill_standard(SwarmFixture& f) {
  f.add("O", NodeRole::origin, "", 0);
  f.add("r1", NodeRole::reflector, "b1", 400);
  f.add("r2", NodeRole::reflector, "b1", 0);
  f.add("e1", NodeRole::endpoint, "b1", 500);
  f.add("e2", NodeRole::endpoint, "b1", kTotal);
  f.add("me", NodeRole::endpoint, "b1", kTotal);
  f.add("x1", NodeRole::reflector, "b2", 0);
  f.add("x2", NodeRole::endpoint, "b2", 10);
}

}  // namespace

TEST_CASE("an endpoint gets its branch's reflectors, most complete first, then same-branch holders only") {
  SwarmFixture f;
  fill_standard(f);
  SplitMix64 rng(7);
  Selection s = select_peers(f.req("me"), f.swarm, 50, {}, rng, 0);
  CHECK(ids(s) == std::vector<std::string>{"r2", "r1", "e1"});
  CHECK(s.peers[0].tier == TierKind::branch_reflectors);
  CHECK(s.peers[2].tier == TierKind::branch_holders);
  CHECK_FALSE(s.origin_refused);
}

TEST_CASE("numwant truncates the list in tier order") {
  SwarmFixture f;
  fill_standard(f);
  SplitMix64 rng(7);
  CHECK(ids(select_peers(f.req("me"), f.swarm, 1, {}, rng, 0)) == std::vector<std::string>{"r2"});
  CHECK(select_peers(f.req("me"), f.swarm, 0, {}, rng, 0).peers.empty());
}

TEST_CASE("an endpoint of a branch without a live reflector falls back across the WAN only as policy allows") {
  SwarmFixture f;
  f.add("O", NodeRole::origin, "", 0);
  f.add("p1", NodeRole::reflector, "hub", 0);
  f.add("x1", NodeRole::reflector, "other", 0);
  f.add("e1", NodeRole::endpoint, "b1", 200);
  f.add("me", NodeRole::endpoint, "b1", kTotal);
  SplitMix64 rng(1);
  PeerSelectionOptions o;
  CHECK(ids(select_peers(f.req("me", "hub", false), f.swarm, 50, o, rng, 0)) ==
        std::vector<std::string>{"e1", "p1", "O"});
  o.fallback_to_foreign_reflectors = true;
  CHECK(ids(select_peers(f.req("me", "hub", false), f.swarm, 50, o, rng, 0)) ==
        std::vector<std::string>{"e1", "p1", "O", "x1"});
  o.wan_fallback = false;
  CHECK(ids(select_peers(f.req("me", "hub", false), f.swarm, 50, o, rng, 0)) == std::vector<std::string>{"e1"});
  // The branch's own setting wins over the tracker's, both ways.
  Requester allowed = f.req("me", "hub", false);
  allowed.wan_fallback = true;
  CHECK(ids(select_peers(allowed, f.swarm, 50, o, rng, 0)) == std::vector<std::string>{"e1", "p1", "O", "x1"});
  o.wan_fallback = true;
  Requester denied = f.req("me", "hub", false);
  denied.wan_fallback = false;
  CHECK(ids(select_peers(denied, f.swarm, 50, o, rng, 0)) == std::vector<std::string>{"e1"});
  // With a live reflector (even one not yet in this swarm) nothing crosses the WAN.
  CHECK(ids(select_peers(f.req("me", "hub", true), f.swarm, 50, {}, rng, 0)) == std::vector<std::string>{"e1"});
}

TEST_CASE("a reflector gets the origin and its branch's other reflectors, never endpoints or other branches") {
  SwarmFixture f;
  fill_standard(f);
  f.add("r2", NodeRole::reflector, "b1", 100);  // no sibling complete yet
  f.add("r3", NodeRole::reflector, "b1", kTotal);
  SplitMix64 rng(3);
  Selection s = select_peers(f.req("r3"), f.swarm, 50, {}, rng, 0);
  CHECK(ids(s) == std::vector<std::string>{"O", "r2", "r1"});
  CHECK(s.peers[0].tier == TierKind::origin);
  CHECK(f.swarm.origin_grants().holds("r3"));
}

TEST_CASE("a reflector whose sibling reflector is complete gets the sibling, not the origin (one WAN copy)") {
  SwarmFixture f;
  fill_standard(f);  // r2 is complete
  f.add("r3", NodeRole::reflector, "b1", kTotal);
  SplitMix64 rng(3);
  Selection s = select_peers(f.req("r3"), f.swarm, 50, {}, rng, 0);
  CHECK(ids(s) == std::vector<std::string>{"r2", "r1"});
  CHECK_FALSE(f.swarm.origin_grants().holds("r3"));
  PeerSelectionOptions o;
  o.skip_origin_when_branch_seeds = false;
  CHECK(ids(select_peers(f.req("r3"), f.swarm, 50, o, rng, 0)) == std::vector<std::string>{"O", "r2", "r1"});
}

TEST_CASE("a reflector under a regional hub gets the hub's reflectors, and the origin only while no hub reflector seeds") {
  SwarmFixture f;
  f.add("O", NodeRole::origin, "", 0);
  f.add("h1", NodeRole::reflector, "hub", 300);
  f.add("r1", NodeRole::reflector, "b1", kTotal);
  SplitMix64 rng(3);
  CHECK(ids(select_peers(f.req("r1", "hub"), f.swarm, 50, {}, rng, 0)) == std::vector<std::string>{"h1", "O"});
  f.add("h1", NodeRole::reflector, "hub", 0);
  CHECK(ids(select_peers(f.req("r1", "hub"), f.swarm, 50, {}, rng, 0)) == std::vector<std::string>{"h1"});
  PeerSelectionOptions o;
  o.skip_origin_when_parent_seeds = false;
  CHECK(ids(select_peers(f.req("r1", "hub"), f.swarm, 50, o, rng, 0)) == std::vector<std::string>{"h1", "O"});
}

TEST_CASE("a reflector whose hub has a live reflector is not given the origin even before the hub has a piece") {
  SwarmFixture f;
  f.add("O", NodeRole::origin, "", 0);
  f.add("h1", NodeRole::reflector, "hub", kTotal);  // the hub's reflector, fetching
  f.add("r1", NodeRole::reflector, "b1", kTotal);
  SplitMix64 rng(3);
  Requester r = f.req("r1", "hub");
  r.parent_has_live_reflector = true;
  Selection s = select_peers(r, f.swarm, 50, {}, rng, 0);
  CHECK(ids(s) == std::vector<std::string>{"h1"});
  CHECK_FALSE(f.swarm.origin_grants().holds("r1"));  // b1's grant stays free for when the hub is gone
  // The hub fell silent (reflector liveness): the child is given the origin.
  r.parent_has_live_reflector = false;
  CHECK(ids(select_peers(r, f.swarm, 50, {}, rng, 0)) == std::vector<std::string>{"h1", "O"});
  PeerSelectionOptions o;
  o.skip_origin_when_parent_live = false;
  r.parent_has_live_reflector = true;
  CHECK(ids(select_peers(r, f.swarm, 50, o, rng, 0)) == std::vector<std::string>{"h1", "O"});
}

TEST_CASE("origin grants: at most per_branch reflectors of one branch get the origin; the rest get them instead") {
  SwarmLimits l;
  l.origin_grants.per_branch = 2;
  SwarmFixture f(l);
  f.add("O", NodeRole::origin, "", 0);
  for (const char* id : {"r1", "r2", "r3"}) f.add(id, NodeRole::reflector, "b1", kTotal);
  f.add("s1", NodeRole::reflector, "b2", kTotal);
  SplitMix64 rng(5);
  CHECK(contains(ids(select_peers(f.req("r1"), f.swarm, 50, {}, rng, 0)), "O"));
  CHECK(contains(ids(select_peers(f.req("r2"), f.swarm, 50, {}, rng, 0)), "O"));
  Selection third = select_peers(f.req("r3"), f.swarm, 50, {}, rng, 0);
  CHECK_FALSE(contains(ids(third), "O"));
  CHECK(third.origin_refused);
  CHECK(ids(third).size() == 2);  // r1 and r2
  // Another branch is not affected by b1's use; a holder re-announcing keeps its grant.
  CHECK(contains(ids(select_peers(f.req("s1"), f.swarm, 50, {}, rng, 0)), "O"));
  CHECK(contains(ids(select_peers(f.req("r1"), f.swarm, 50, {}, rng, 10)), "O"));
  // r1 completes: its grant goes. r3 takes r1's copy over the LAN (default),
  // or the freed grant when siblings' seeds do not stop the origin.
  f.add("r1", NodeRole::reflector, "b1", 0);
  select_peers(f.req("r1"), f.swarm, 50, {}, rng, 11);
  CHECK_FALSE(f.swarm.origin_grants().holds("r1"));
  CHECK_FALSE(contains(ids(select_peers(f.req("r3"), f.swarm, 50, {}, rng, 12)), "O"));
  PeerSelectionOptions o;
  o.skip_origin_when_branch_seeds = false;
  CHECK(contains(ids(select_peers(f.req("r3"), f.swarm, 50, o, rng, 12)), "O"));
  CHECK(f.swarm.origin_grants().held("b1") == 2);
}

TEST_CASE("one WAN copy: by default a branch's first reflector holds its only origin grant, the second takes the first") {
  SwarmFixture f;  // default limits: one grant per branch
  f.add("O", NodeRole::origin, "", 0);
  f.add("r1", NodeRole::reflector, "b1", kTotal);
  f.add("r2", NodeRole::reflector, "b1", kTotal);
  SplitMix64 rng(5);
  CHECK(ids(select_peers(f.req("r1"), f.swarm, 50, {}, rng, 0)) == std::vector<std::string>{"O", "r2"});
  Selection second = select_peers(f.req("r2"), f.swarm, 50, {}, rng, 1);
  CHECK(ids(second) == std::vector<std::string>{"r1"});
  CHECK(second.origin_refused);
}

TEST_CASE("an origin grant not renewed within its ttl lapses and frees the slot") {
  SwarmLimits l;
  l.origin_grants.per_branch = 1;
  l.origin_grants.ttl_s = 100;
  SwarmFixture f(l);
  f.add("O", NodeRole::origin, "", 0);
  f.add("r1", NodeRole::reflector, "b1", kTotal);
  f.add("r2", NodeRole::reflector, "b1", kTotal);
  SplitMix64 rng(5);
  CHECK(contains(ids(select_peers(f.req("r1"), f.swarm, 50, {}, rng, 0)), "O"));
  CHECK_FALSE(contains(ids(select_peers(f.req("r2"), f.swarm, 50, {}, rng, 99)), "O"));
  CHECK(contains(ids(select_peers(f.req("r2"), f.swarm, 50, {}, rng, 100)), "O"));
}

TEST_CASE("a seed gets its branch's incomplete peers; the origin gets nobody; a roaming node only the origin") {
  SwarmFixture f;
  fill_standard(f);
  f.add("roam", NodeRole::endpoint, "", kTotal);
  SplitMix64 rng(9);
  auto seed = ids(select_peers(f.req("r2"), f.swarm, 50, {}, rng, 0));
  std::sort(seed.begin(), seed.end());
  CHECK(seed == std::vector<std::string>{"e1", "e2", "me", "r1"});
  CHECK(select_peers(f.req("O"), f.swarm, 50, {}, rng, 0).peers.empty());
  CHECK(ids(select_peers(f.req("roam"), f.swarm, 50, {}, rng, 0)) == std::vector<std::string>{"O"});
  PeerSelectionOptions o;
  o.roaming_to_origin = false;
  CHECK(select_peers(f.req("roam"), f.swarm, 50, o, rng, 0).peers.empty());
}

TEST_CASE("peers are handed out only in an address family the requester has") {
  SwarmFixture f;
  f.add("r4", NodeRole::reflector, "b1", 0, true, false);
  f.add("r6", NodeRole::reflector, "b1", 0, false, true);
  f.add("rd", NodeRole::reflector, "b1", 0, true, true);
  f.add("me4", NodeRole::endpoint, "b1", kTotal, true, false);
  f.add("me6", NodeRole::endpoint, "b1", kTotal, false, true);
  SplitMix64 rng(2);
  auto v4 = ids(select_peers(f.req("me4"), f.swarm, 50, {}, rng, 0));
  std::sort(v4.begin(), v4.end());
  CHECK(v4 == std::vector<std::string>{"r4", "rd"});
  Requester r6 = f.req("me6");
  Selection s6 = select_peers(r6, f.swarm, 50, {}, rng, 0);
  auto v6 = ids(s6);
  std::sort(v6.begin(), v6.end());
  CHECK(v6 == std::vector<std::string>{"r6", "rd"});
  for (const PeerEndpoint& ep : endpoints_for(s6, r6)) CHECK(ep.address.v6);
}

TEST_CASE("the hand-out cap skips a peer given out max times this window, but never leaves a requester empty") {
  SwarmFixture f;
  f.add("h1", NodeRole::endpoint, "b1", 0);
  f.add("h2", NodeRole::endpoint, "b1", 0);
  for (int i = 0; i < 6; ++i) f.add("n" + std::to_string(i), NodeRole::endpoint, "b1", kTotal);
  PeerSelectionOptions o;
  o.max_handouts_per_peer = 2;
  o.min_peers_when_capped = 1;
  SplitMix64 rng(4);
  for (int i = 0; i < 2; ++i) CHECK(select_peers(f.req("n" + std::to_string(i)), f.swarm, 5, o, rng, 0).peers.size() == 2);
  Selection capped = select_peers(f.req("n2"), f.swarm, 5, o, rng, 0);
  CHECK(capped.capped_skipped == 2);
  CHECK(capped.peers.size() == 1);
  // A new window (interval 1800 s) resets the counts.
  CHECK(select_peers(f.req("n3"), f.swarm, 5, o, rng, 1800).peers.size() == 2);
}

TEST_CASE("the same seed gives the same lists; ties rotate between requesters") {
  auto run = [](uint64_t seed) {
    SwarmFixture f;
    for (int i = 0; i < 20; ++i) f.add("h" + std::to_string(i), NodeRole::endpoint, "b1", 500);
    f.add("me", NodeRole::endpoint, "b1", kTotal);
    f.add("you", NodeRole::endpoint, "b1", kTotal);
    SplitMix64 rng(seed);
    auto a = ids(select_peers(f.req("me"), f.swarm, 5, {}, rng, 0));
    auto b = ids(select_peers(f.req("you"), f.swarm, 5, {}, rng, 0));
    return std::make_pair(a, b);
  };
  CHECK(run(11) == run(11));
  auto [a, b] = run(11);
  for (const std::string& id : b) CHECK_FALSE(contains(a, id));  // least handed out first
}
