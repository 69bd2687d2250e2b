#include <doctest/doctest.h>

#include "tests/tracker/bt/bt_test_util.hpp"
#include "tracker/bt/swarm_registry.hpp"

using namespace bc;
using namespace bc::tracker::bt;
using bc::tracker::bt::test::hash_of;

namespace {

PeerUpdate peer(const std::string& id, uint64_t left, const std::string& branch = "b1",
                NodeRole role = NodeRole::endpoint) {
  PeerUpdate u;
  u.node_id = id;
  u.role = role;
  u.branch = branch;
  u.v4 = PeerEndpoint{IpAddress::v4_from(10, 0, 0, uint8_t(id.size())), 6881};
  u.left_bytes = left;
  return u;
}

SwarmRegistryOptions small_options() {
  SwarmRegistryOptions o;
  o.max_swarms = 2;
  o.swarm.max_peers = 3;
  o.peer_timeout_s = 100;
  o.expiry_scan_interval_s = 10;
  return o;
}

}  // namespace

TEST_CASE("announces create a swarm and keep complete/incomplete/downloaded counts") {
  SwarmRegistry reg(small_options());
  REQUIRE(reg.options().validate().ok());
  auto h = hash_of(1);
  REQUIRE(reg.announce(h, 1000, peer("a", 1000), false, false, 0).ok());
  REQUIRE(reg.announce(h, 1000, peer("b", 0), false, false, 0).ok());
  CHECK(reg.scrape(h).complete == 1);
  CHECK(reg.scrape(h).incomplete == 1);
  // a completes: counted once, even if it says so twice.
  REQUIRE(reg.announce(h, 1000, peer("a", 0), false, true, 1).ok());
  REQUIRE(reg.announce(h, 1000, peer("a", 0), false, true, 2).ok());
  ScrapeCounts c = reg.scrape(h);
  CHECK(c.complete == 2);
  CHECK(c.incomplete == 0);
  CHECK(c.downloaded == 1);
  CHECK(reg.find(h)->find("a")->completeness_permille == 1000);
  CHECK(reg.scrape(hash_of(9)).complete == 0);
}

TEST_CASE("completeness is computed from left and the payload size") {
  SwarmRegistry reg(small_options());
  auto h = hash_of(1);
  Swarm* s = *reg.announce(h, 1000, peer("a", 250), false, false, 0);
  CHECK(s->find("a")->completeness_permille == 750);
  CHECK(s->find("a")->has_pieces);
  s = *reg.announce(h, 1000, peer("b", 1000), false, false, 0);
  CHECK(s->find("b")->completeness_permille == 0);
  CHECK_FALSE(s->find("b")->has_pieces);
  s = *reg.announce(h, 1000, peer("c", 1), false, false, 0);
  CHECK(s->find("c")->completeness_permille == 999);  // only left == 0 is complete
}

TEST_CASE("a stopped event removes the peer and an emptied swarm disappears") {
  SwarmRegistry reg(small_options());
  auto h = hash_of(1);
  REQUIRE(reg.announce(h, 10, peer("a", 10), false, false, 0).ok());
  auto r = reg.announce(h, 10, peer("a", 10), true, false, 1);
  REQUIRE(r.ok());
  CHECK(*r == nullptr);
  CHECK(reg.swarm_count() == 0);
  CHECK(reg.counters().stopped_peers == 1);
  // Stopping in an unknown swarm creates nothing.
  REQUIRE(reg.announce(hash_of(2), 10, peer("a", 10), true, false, 1).ok());
  CHECK(reg.swarm_count() == 0);
  CHECK(reg.counters().stopped_peers == 1);
}

TEST_CASE("peers that stop announcing expire after the timeout, and the swarm with them") {
  SwarmRegistry reg(small_options());
  auto h = hash_of(1);
  REQUIRE(reg.announce(h, 10, peer("a", 10), false, false, 0).ok());
  REQUIRE(reg.announce(h, 10, peer("b", 0), false, false, 50).ok());
  CHECK(reg.expire(99) == 0);
  CHECK(reg.expire(100) == 1);  // a: last heard at 0, timeout 100
  CHECK(reg.find(h)->find("a") == nullptr);
  CHECK(reg.scrape(h).complete == 1);
  CHECK(reg.expire(150) == 1);
  CHECK(reg.swarm_count() == 0);
  CHECK(reg.counters().expired_peers == 2);
}

TEST_CASE("an announce scans its swarm for stale peers at most every expiry_scan_interval_s") {
  SwarmRegistry reg(small_options());
  auto h = hash_of(1);
  REQUIRE(reg.announce(h, 10, peer("a", 10), false, false, 0).ok());
  REQUIRE(reg.announce(h, 10, peer("b", 10), false, false, 105).ok());  // scans: a is stale
  CHECK(reg.find(h)->find("a") == nullptr);
  CHECK(reg.counters().expired_peers == 1);
}

TEST_CASE("limits: a new swarm or peer beyond the limit is refused and counted; known peers still update") {
  SwarmRegistry reg(small_options());
  REQUIRE(reg.announce(hash_of(1), 10, peer("a", 10), false, false, 0).ok());
  REQUIRE(reg.announce(hash_of(2), 10, peer("a", 10), false, false, 0).ok());
  auto third = reg.announce(hash_of(3), 10, peer("a", 10), false, false, 0);
  REQUIRE_FALSE(third.ok());
  CHECK(third.status().code() == Status::Code::no_space);
  CHECK(third.status().message() == "tracker holds its limit of 2 swarms");
  CHECK(reg.counters().refused_swarms == 1);

  REQUIRE(reg.announce(hash_of(1), 10, peer("bb", 10), false, false, 0).ok());
  REQUIRE(reg.announce(hash_of(1), 10, peer("ccc", 10), false, false, 0).ok());
  auto full = reg.announce(hash_of(1), 10, peer("dddd", 10), false, false, 0);
  REQUIRE_FALSE(full.ok());
  CHECK(full.status().message() == "swarm holds its limit of 3 peers");
  CHECK(reg.counters().refused_peers == 1);
  CHECK(reg.announce(hash_of(1), 10, peer("bb", 0), false, true, 1).ok());
  CHECK(reg.peer_count() == 4);
}

TEST_CASE("a peer that moves branch is re-indexed under its new branch") {
  SwarmRegistry reg(small_options());
  auto h = hash_of(1);
  REQUIRE(reg.announce(h, 10, peer("a", 10, "b1"), false, false, 0).ok());
  REQUIRE(reg.announce(h, 10, peer("b", 10, "b1"), false, false, 0).ok());
  Swarm* s = *reg.announce(h, 10, peer("a", 10, "b2"), false, false, 1);
  CHECK(s->branch("b1").size() == 1);
  CHECK(s->branch("b1")[0]->node_id == "b");
  REQUIRE(s->branch("b2").size() == 1);
  CHECK(s->branch("b2")[0]->node_id == "a");
  REQUIRE(s->remove("b", IpAddress{}));
  CHECK(s->branch("b1").empty());
}

TEST_CASE("an update without any address is refused") {
  SwarmRegistry reg(small_options());
  PeerUpdate u = peer("a", 1);
  u.v4.reset();
  auto r = reg.announce(hash_of(1), 10, u, false, false, 0);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "peer a has no address");
  CHECK(reg.swarm_count() == 0);
}

TEST_CASE("invalid registry options are named") {
  SwarmRegistryOptions o;
  o.max_swarms = 0;
  CHECK(o.validate().message() == "max_swarms must be positive");
  o = {};
  o.swarm.origin_grants.per_branch = 0;
  CHECK(o.validate().message() == "origin grant limits must be positive");
}

TEST_CASE("hand-out counts follow the peer: kept across re-announces, zero in a new window and after the peer left") {
  SwarmLimits limits;
  Swarm s(1000, limits);
  HandoutLedger& ledger = s.ledger();
  auto e = s.upsert(peer("n1", 0), 0);
  REQUIRE(e.ok());
  ledger.roll(0);
  ledger.record(**e);
  ledger.record(**e);
  CHECK(ledger.count(**e) == 2);
  auto again = s.upsert(peer("n1", 0), 10);
  REQUIRE(again.ok());
  CHECK(ledger.count(**again) == 2);
  ledger.roll(limits.handout_interval_s);
  CHECK(ledger.count(**again) == 0);
  ledger.record(**again);
  REQUIRE(s.remove("n1", IpAddress{}));
  auto back = s.upsert(peer("n1", 0), limits.handout_interval_s + 1);
  REQUIRE(back.ok());
  CHECK(ledger.count(**back) == 0);
}

TEST_CASE("an announce with a node's id from another source address is kept apart: it neither overwrites nor stops the real entry") {
  SwarmRegistry reg(small_options());
  auto h = hash_of(1);
  PeerUpdate real = peer("origin", 0, "", NodeRole::origin);
  real.source = IpAddress::v4_from(10, 9, 0, 1);
  PeerUpdate forged = peer("origin", 100, "", NodeRole::origin);
  forged.source = IpAddress::v4_from(10, 66, 0, 1);
  forged.v4 = PeerEndpoint{forged.source, 1234};
  REQUIRE(reg.announce(h, 1000, real, false, false, 0).ok());
  Swarm* s = *reg.announce(h, 1000, forged, false, false, 1);
  REQUIRE(s->find("origin", real.source));
  CHECK(s->find("origin", real.source)->seed());  // left=100 from elsewhere did not touch it
  CHECK(s->find("origin", real.source)->v4 == real.v4);
  CHECK(s->entries_of("origin") == 2);
  CHECK(reg.scrape(h).complete == 1);
  // `stopped` from the other address removes only that address's entry.
  REQUIRE(reg.announce(h, 1000, forged, true, false, 2).ok());
  REQUIRE(reg.find(h));
  CHECK(reg.find(h)->find("origin", real.source));
  CHECK(reg.find(h)->find("origin", forged.source) == nullptr);
  CHECK(reg.scrape(h).complete == 1);
}

TEST_CASE("a node that changes address gets a new entry; the old one ages out by itself; entries per node are bounded") {
  SwarmRegistryOptions o = small_options();
  o.swarm.max_peers = 10;
  o.swarm.max_entries_per_node = 2;
  SwarmRegistry reg(o);
  auto h = hash_of(1);
  auto from = [](uint8_t last, uint64_t left) {
    PeerUpdate u = peer("desk", left);
    u.source = IpAddress::v4_from(10, 0, 1, last);
    u.v4 = PeerEndpoint{u.source, 6881};
    return u;
  };
  REQUIRE(reg.announce(h, 1000, from(1, 500), false, false, 0).ok());   // DHCP lease 1
  REQUIRE(reg.announce(h, 1000, from(2, 400), false, false, 50).ok());  // lease 2
  CHECK(reg.find(h)->entries_of("desk") == 2);
  CHECK(reg.find(h)->find("desk")->v4->address == IpAddress::v4_from(10, 0, 1, 2));  // the latest
  auto third = reg.announce(h, 1000, from(3, 400), false, false, 60);
  REQUIRE_FALSE(third.ok());
  CHECK(third.status().code() == Status::Code::no_space);
  CHECK(third.status().message().find("node desk already announces this swarm from 2 addresses") == 0);
  CHECK(reg.counters().refused_peers == 1);
  REQUIRE(reg.announce(h, 1000, from(2, 300), false, false, 105).ok());  // scan: lease 1 aged out
  CHECK(reg.find(h)->entries_of("desk") == 1);
  CHECK(reg.announce(h, 1000, from(3, 300), false, false, 106).ok());
}
