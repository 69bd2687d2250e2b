#include <doctest/doctest.h>

#include <map>

#include "tests/tracker/bt/bt_test_util.hpp"
#include "tracker/bt/bt_service.hpp"

using namespace bc;
using namespace bc::tracker::bt;
using namespace bc::tracker::bt::test;

namespace {

// The tracker store, as a table: keys -> identities, hashes -> payload sizes.
class FakeDirectory : public BtDirectory {
 public:
  std::map<std::string, NodeIdentity, std::less<>> nodes;
  std::map<InfoHash, uint64_t> torrents;
  Result<NodeIdentity> node_for_key(std::string_view key, const IpAddress&) override {
    auto it = nodes.find(key);
    if (it == nodes.end()) return Status::permission_denied("unknown node key");
    return it->second;
  }
  Result<uint64_t> torrent_bytes(const InfoHash& h) override {
    auto it = torrents.find(h);
    if (it == torrents.end()) return Status::not_found("unregistered torrent " + h.to_hex());
    return it->second;
  }
};

std::string key_of(char c) { return std::string(32, c); }

std::string announce_query(char key, const InfoHash& h, uint64_t left, const std::string& event = "",
                           const std::string& extra = "") {
  std::string q = "bckey=" + key_of(key) + "&info_hash=" + pct(h.raw()) + "&peer_id=" + pct(std::string(20, key)) +
                  "&port=6881&uploaded=0&downloaded=0&left=" + std::to_string(left) + "&compact=1";
  if (!event.empty()) q += "&event=" + event;
  return q + extra;
}

struct World {
  FakeDirectory dir;
  InfoHash hash = hash_of(0xab);
  std::unique_ptr<BtService> svc;
  World() {
    dir.nodes[key_of('r')] = {"refl-1", NodeRole::reflector, "paris", "", true};
    dir.nodes[key_of('e')] = {"desk-1", NodeRole::endpoint, "paris", "", true};
    dir.nodes[key_of('o')] = {"origin", NodeRole::origin, "", "", false};
    dir.torrents[hash] = 1 << 20;
    BtServiceOptions o;
    REQUIRE(o.validate().ok());
    svc = std::make_unique<BtService>(o, dir);
  }
};

}  // namespace

TEST_CASE("service: an endpoint's announce returns its branch reflector as compact bytes") {
  World w;
  IpAddress refl = IpAddress::v4_from(10, 1, 0, 2), desk = IpAddress::v4_from(10, 1, 0, 50);
  w.svc->announce(announce_query('r', w.hash, 0, "started"), refl, 100);
  std::string body = w.svc->announce(announce_query('e', w.hash, 1 << 20, "started"), desk, 101);
  CHECK(body == std::string("d8:completei1e10:incompletei1e8:intervali1800e12:min intervali60e5:peers6:") +
                    std::string("\x0a\x01\x00\x02\x1a\xe1", 6) + "e");
  CHECK(w.svc->counters().lan_peers == 1);
  CHECK(w.svc->counters().wan_peers == 0);
}

TEST_CASE("service: a reflector is given the origin, counted as a WAN hand-out") {
  World w;
  w.svc->announce(announce_query('o', w.hash, 0, "started"), IpAddress::v4_from(10, 9, 0, 1), 100);
  AnnounceResult r = w.svc->announce_result(announce_query('r', w.hash, 5, "started"), IpAddress::v4_from(10, 1, 0, 2), 101);
  REQUIRE(r.status.ok());
  CHECK(r.peer_ids == std::vector<NodeId>{"origin"});
  CHECK(r.tiers == std::vector<TierKind>{TierKind::origin});
  REQUIRE(r.response.peers.size() == 1);
  CHECK(r.response.peers[0].to_string() == "10.9.0.1:6881");
  CHECK(w.svc->counters().wan_peers == 1);
}

TEST_CASE("service: an incomplete origin grant holder is told to re-announce every grant_holder_interval_s (its lease)") {
  World w;
  w.svc->announce(announce_query('o', w.hash, 0, "started"), IpAddress::v4_from(10, 9, 0, 1), 100);
  IpAddress refl = IpAddress::v4_from(10, 1, 0, 2), desk = IpAddress::v4_from(10, 1, 0, 50);
  AnnounceResult r = w.svc->announce_result(announce_query('r', w.hash, 5, "started"), refl, 101);
  CHECK(r.response.interval_s == 30);
  CHECK(r.response.min_interval_s == 30);
  AnnounceResult e = w.svc->announce_result(announce_query('e', w.hash, 5, "started"), desk, 102);
  CHECK(e.response.interval_s == 1800);  // no grant: the usual interval
  AnnounceResult done = w.svc->announce_result(announce_query('r', w.hash, 0, "completed"), refl, 103);
  CHECK(done.response.interval_s == 1800);
  BtServiceOptions bad;
  bad.grant_holder_interval_s = 75;  // not below the grant ttl (75 s)
  CHECK(bad.validate().message().find("grant_holder_interval_s") != std::string::npos);
}

TEST_CASE("service: refusals are bencoded failure reasons naming the cause") {
  World w;
  IpAddress src = IpAddress::v4_from(10, 1, 0, 9);
  std::string no_key = "info_hash=" + pct(w.hash.raw()) + "&peer_id=" + pct(std::string(20, 'x')) +
                       "&port=1&uploaded=0&downloaded=0&left=0";
  CHECK(w.svc->announce(no_key, src, 0) ==
        encode_failure("bckey: missing; announce with the URL the tracker issued at enrollment"));
  CHECK(w.svc->announce(announce_query('z', w.hash, 0), src, 0) == encode_failure("unknown node key"));
  CHECK(w.svc->announce(announce_query('e', hash_of(1), 0), src, 0) ==
        encode_failure("unregistered torrent " + hash_of(1).to_hex()));
  CHECK(w.svc->announce(announce_query('e', w.hash, 0, "", "&compact=0").replace(
                            announce_query('e', w.hash, 0).find("&compact=1"), 10, ""),
                        src, 0) == encode_failure("compact=0: this tracker sends compact peer lists only (BEP 23)"));
  CHECK(w.svc->announce("info_hash=%zz", src, 0) == encode_failure("info_hash: bad percent-encoding at offset 0 ('%zz')"));
  CHECK(w.svc->counters().denied == 2);
  CHECK(w.svc->counters().unregistered == 1);
  CHECK(w.svc->counters().bad_requests == 2);
  CHECK(w.svc->registry().swarm_count() == 0);
}

TEST_CASE("service: stopped removes the node; scrape reports registered torrents only") {
  World w;
  IpAddress src = IpAddress::v4_from(10, 1, 0, 9);
  w.svc->announce(announce_query('r', w.hash, 0, "started"), src, 0);
  w.svc->announce(announce_query('e', w.hash, 100, "started"), src, 0);
  std::string scrape_q = "bckey=" + key_of('e') + "&info_hash=" + pct(w.hash.raw()) + "&info_hash=" + pct(hash_of(1).raw());
  CHECK(w.svc->scrape(scrape_q, src, 1) ==
        "d5:filesd20:" + std::string(w.hash.raw()) + "d8:completei1e10:downloadedi0e10:incompletei1eeee");
  AnnounceResult stop = w.svc->announce_result(announce_query('e', w.hash, 100, "stopped"), src, 2);
  REQUIRE(stop.status.ok());
  CHECK(stop.response.peers.empty());
  CHECK(stop.response.incomplete == 0);
  CHECK(w.svc->registry().peer_count() == 1);
  CHECK(w.svc->scrape("info_hash=" + pct(w.hash.raw()), src, 3) ==
        encode_failure("bckey: missing; scrape with the URL the tracker issued at enrollment"));
}

TEST_CASE("service: the source address is used unless trust_client_ip is set") {
  World w;
  IpAddress src = IpAddress::v4_from(10, 1, 0, 9);
  std::string q = announce_query('r', w.hash, 0, "started", "&ipv4=10.7.7.7");
  w.svc->announce(q, src, 0);
  CHECK(w.svc->registry().find(w.hash)->find("refl-1")->v4->to_string() == "10.1.0.9:6881");

  BtServiceOptions o;
  o.trust_client_ip = true;
  BtService trusting(o, w.dir);
  trusting.announce(q, src, 0);
  CHECK(trusting.registry().find(w.hash)->find("refl-1")->v4->to_string() == "10.7.7.7:6881");
}

TEST_CASE("service: the origin's key used from another address with left=100 leaves the origin's entry a seed and handed out") {
  World w;
  IpAddress origin = IpAddress::v4_from(10, 9, 0, 1), intruder = IpAddress::v4_from(10, 66, 0, 7);
  w.svc->announce(announce_query('o', w.hash, 0, "started"), origin, 100);
  w.svc->announce(announce_query('o', w.hash, 100, "started"), intruder, 101);
  w.svc->announce(announce_query('o', w.hash, 100, "stopped"), intruder, 102);
  const Swarm* s = w.svc->registry().find(w.hash);
  REQUIRE(s);
  REQUIRE(s->find("origin", origin));
  CHECK(s->find("origin", origin)->seed());
  CHECK(s->find("origin", intruder) == nullptr);
  AnnounceResult r = w.svc->announce_result(announce_query('r', w.hash, 5, "started"), IpAddress::v4_from(10, 1, 0, 2), 103);
  REQUIRE(r.status.ok());
  REQUIRE(r.response.peers.size() == 1);
  CHECK(r.response.peers[0].to_string() == "10.9.0.1:6881");
}
