// One WAN copy per branch (issue #17): a branch without a live reflector has
// one stand-in source, the endpoint holding its origin grant; its other
// endpoints are handed it (even while empty) instead of the origin, and the
// role moves on when the stand-in dies. Virtual time throughout.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/tracker/bt/swarm_fixture.hpp"

using namespace bc;
using namespace bc::tracker::bt;
using namespace bc::tracker::bt::test;

namespace {

// Branch b1 has no live reflector; its endpoints e1..e3 are empty.
Selection announce(SwarmFixture& f, const std::string& id, int64_t now_s, SplitMix64& rng,
                   const PeerSelectionOptions& o = {}) {
  return select_peers(f.req(id, "", false), f.swarm, 50, o, rng, now_s);
}

void fill_branch(SwarmFixture& f) {
  f.add("O", NodeRole::origin, "", 0);
  for (const char* id : {"e1", "e2", "e3"}) f.add(id, NodeRole::endpoint, "b1", kTotal);
  f.add("x1", NodeRole::endpoint, "b2", kTotal);
}

}  // namespace

TEST_CASE("stand-in: the first endpoint of a reflector-less branch gets the origin; the others get it, empty, instead") {
  SwarmFixture f;
  fill_branch(f);
  SplitMix64 rng(9);
  CHECK(ids(announce(f, "e1", 0, rng)) == std::vector<std::string>{"O"});
  CHECK(f.swarm.origin_grants().holds("e1"));
  for (const char* id : {"e2", "e3"}) {
    Selection s = announce(f, id, 1, rng);
    INFO(id);
    CHECK(ids(s) == std::vector<std::string>{"e1"});  // e1 holds no piece yet, but is the branch's source
    CHECK(s.peers[0].tier == TierKind::branch_holders);
    CHECK(s.origin_refused);
  }
  CHECK(f.swarm.origin_grants().held("b1") == 1);
  // Another branch has its own stand-in.
  CHECK(ids(announce(f, "x1", 2, rng)) == std::vector<std::string>{"O"});
}

TEST_CASE("stand-in: once complete it keeps the role until its lease lapses, so siblings finish from it over the LAN") {
  SwarmFixture f;  // default ttl_s 75
  fill_branch(f);
  SplitMix64 rng(9);
  announce(f, "e1", 0, rng);
  f.add("e2", NodeRole::endpoint, "b1", 600);  // took some pieces from e1
  f.add("e1", NodeRole::endpoint, "b1", 0);
  announce(f, "e1", 10, rng);  // complete: handed its leechers, no longer renewing its lease
  CHECK(f.swarm.origin_grants().holds("e1"));
  Selection s = announce(f, "e3", 11, rng);
  CHECK(contains(ids(s), "e1"));
  CHECK(contains(ids(s), "e2"));
  CHECK_FALSE(contains(ids(s), "O"));
  CHECK(s.origin_refused);
  // A straggler still incomplete when the lease lapses (75 s after e1's last
  // renewal at 0 s) takes the role: a branch is never cut off from the WAN.
  CHECK_FALSE(contains(ids(announce(f, "e3", 74, rng)), "O"));
  CHECK(contains(ids(announce(f, "e3", 75, rng)), "O"));
}

TEST_CASE("stand-in: an endpoint claiming to be complete does not cut its branch off the origin") {
  SwarmFixture f;
  f.add("O", NodeRole::origin, "", 0);
  f.add("liar", NodeRole::endpoint, "b1", 0);  // says it holds everything (it may serve garbage)
  f.add("e1", NodeRole::endpoint, "b1", kTotal);
  SplitMix64 rng(9);
  CHECK(ids(announce(f, "e1", 0, rng)) == std::vector<std::string>{"liar", "O"});
}

TEST_CASE("stand-in: a holder that renews its lease keeps the role; one that stops (dead) loses it after ttl_s") {
  SwarmFixture f;  // default ttl_s 75, holders re-announce every 30 s
  fill_branch(f);
  SplitMix64 rng(9);
  announce(f, "e1", 0, rng);
  f.add("e1", NodeRole::endpoint, "b1", 500);
  for (int64_t t = 30; t <= 150; t += 30) {
    CHECK(contains(ids(announce(f, "e1", t, rng)), "O"));
    CHECK_FALSE(contains(ids(announce(f, "e2", t + 1, rng)), "O"));
  }
  // e1 is killed after its announce at 150 s. e2 (starved, re-announcing) is
  // refused until the lease lapses at 225 s, then takes the role.
  CHECK_FALSE(contains(ids(announce(f, "e2", 224, rng)), "O"));
  Selection s = announce(f, "e2", 225, rng);
  CHECK(contains(ids(s), "O"));
  CHECK(f.swarm.origin_grants().holds("e2"));
  CHECK_FALSE(f.swarm.origin_grants().holds("e1"));
  // e3 now gets e2 (the new stand-in) and e1's pieces, never the origin.
  Selection third = announce(f, "e3", 226, rng);
  CHECK(contains(ids(third), "e2"));
  CHECK(contains(ids(third), "e1"));
  CHECK_FALSE(contains(ids(third), "O"));
}

TEST_CASE("stand-in: a holder that leaves the swarm frees the role at once") {
  SwarmFixture f;
  fill_branch(f);
  SplitMix64 rng(9);
  announce(f, "e1", 0, rng);
  CHECK(f.swarm.remove("e1", f.swarm.find("e1")->source));
  CHECK(contains(ids(announce(f, "e2", 1, rng)), "O"));
}

TEST_CASE("stand-in: the branch's grant passes between its reflectors and endpoints as the reflector's liveness says") {
  SwarmFixture f;
  fill_branch(f);
  f.add("r1", NodeRole::reflector, "b1", kTotal);
  SplitMix64 rng(9);
  CHECK(contains(ids(select_peers(f.req("r1", "", true), f.swarm, 50, {}, rng, 0)), "O"));
  // The reflector dies: the tracker stops calling it live, and an endpoint
  // takes the grant at once instead of waiting out the lease.
  CHECK(contains(ids(announce(f, "e1", 5, rng)), "O"));
  CHECK(f.swarm.origin_grants().holds("e1"));
  CHECK_FALSE(f.swarm.origin_grants().holds("r1"));
  // A reflector (back, or new) takes it back the same way.
  CHECK(contains(ids(select_peers(f.req("r1", "", true), f.swarm, 50, {}, rng, 10)), "O"));
  CHECK_FALSE(f.swarm.origin_grants().holds("e1"));
}
