// Parking a lapsed reflector: its entries leave every swarm at once and come
// back as they were when it is live again (tracker/bt/parked_peers.hpp).
#include <doctest/doctest.h>

#include "tests/tracker/bt/bt_test_util.hpp"
#include "tracker/bt/parked_peers.hpp"

using namespace bc;
using namespace bc::tracker::bt;
using bc::tracker::bt::test::hash_of;

namespace {

PeerUpdate reflector(const std::string& id, uint8_t host, uint64_t left) {
  PeerUpdate u;
  u.node_id = id;
  u.role = NodeRole::reflector;
  u.branch = "b1";
  u.v4 = PeerEndpoint{IpAddress::v4_from(10, 1, 0, host), 6881};
  u.source = u.v4->address;
  u.left_bytes = left;
  return u;
}

}  // namespace

TEST_CASE("a lapsed reflector leaves every swarm at once and returns as it was when live again") {
  SwarmRegistry reg(SwarmRegistryOptions{});
  ParkedPeers parked;
  REQUIRE(reg.announce(hash_of(1), 1000, reflector("r1", 1, 0), false, false, 100).ok());
  REQUIRE(reg.announce(hash_of(2), 1000, reflector("r1", 1, 400), false, false, 100).ok());
  REQUIRE(reg.announce(hash_of(1), 1000, reflector("r2", 2, 0), false, false, 100).ok());

  ParkedCounts c = parked.update(reg, {"r1"}, 110);
  CHECK(c.parked_entries == 2);
  CHECK(parked.parked("r1"));
  CHECK(reg.find(hash_of(1))->find("r1") == nullptr);
  CHECK(reg.find(hash_of(1))->find("r2") != nullptr);  // the sibling stays
  CHECK(reg.find(hash_of(2))->size() == 0);            // its only peer left (the next expiry drops the swarm)
  CHECK(reg.scrape(hash_of(1)).complete == 1);

  // Still lapsed: nothing moves (and nothing is scanned again).
  CHECK(parked.update(reg, {"r1"}, 111).parked_entries == 0);

  c = parked.update(reg, {}, 120);
  CHECK(c.restored_entries == 2);
  CHECK_FALSE(parked.parked("r1"));
  const PeerEntry* back = reg.find(hash_of(2)) ? reg.find(hash_of(2))->find("r1") : nullptr;
  REQUIRE(back);
  CHECK(back->left_bytes == 400);
  CHECK(back->role == NodeRole::reflector);
  CHECK(back->v4->address == IpAddress::v4_from(10, 1, 0, 1));
  CHECK(reg.find(hash_of(1))->find("r1")->seed());
}

TEST_CASE("a parked entry older than peer_timeout_s is not restored, and a re-announced one is kept as announced") {
  SwarmRegistryOptions o;
  o.peer_timeout_s = 100;
  SwarmRegistry reg(o);
  ParkedPeers parked;
  REQUIRE(reg.announce(hash_of(1), 1000, reflector("r1", 1, 500), false, false, 0).ok());
  REQUIRE(reg.announce(hash_of(2), 1000, reflector("r1", 1, 500), false, false, 90).ok());
  parked.update(reg, {"r1"}, 95);
  // r1 announces swarm 2 again while parked (its heartbeats lapsed, its swarm did not).
  REQUIRE(reg.announce(hash_of(2), 1000, reflector("r1", 1, 100), false, false, 96).ok());
  ParkedCounts c = parked.update(reg, {}, 120);
  CHECK(c.restored_entries == 0);
  CHECK(reg.find(hash_of(1))->size() == 0);                  // parked at 0, timed out at 100
  CHECK(reg.find(hash_of(2))->find("r1")->left_bytes == 100);  // the newer announce wins
}
