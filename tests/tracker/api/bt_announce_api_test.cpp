// GET /announce and /scrape through the full in-process pipeline (TrackerApp,
// real LMDB): key resolution, entitlement, retired layers, reflector liveness.
#include <doctest/doctest.h>

#include "tests/tracker/api/api_fixture.hpp"
#include "layers/util/hex.hpp"
#include "tests/support/bt_query.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/bt/info_hash.hpp"
#include "tracker/service/bt_directory.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {

using test::percent;

struct BtWorld {
  test::ApiFixture f;
  std::string hash1, hash2;  // percent-encoded swarm keys of base@1 and other@1

  explicit BtWorld(const std::string& extra_toml = "") : f(extra_toml) {
    hash1 = percent(f.import_layer("base@1", {{"etc/a", "x"}}));
    hash2 = percent(f.import_layer("other@1", {{"etc/b", "x"}}));
    REQUIRE(f.call("PUT", "/api/v1/branches/hq", json{{"subnets", {"10.1.0.0/16"}}}.dump()).status / 100 == 2);
    REQUIRE(f.call("PUT", "/api/v1/assignments/branch/hq", json{{"stack", {"base@1"}}}.dump()).status / 100 == 2);
  }
  // Enrolls (or registers) a node from 10.1.2.3 and returns its announce key.
  std::string join(const SecretKey& key, const std::string& role) {
    auto tok = f.call("POST", "/api/v1/enrollment-tokens", json{{"role", role}, {"branch", "hq"}}.dump());
    std::string token = f.body(tok)["token"];
    auto r = role == "endpoint"
                 ? f.node(key, "POST", "/api/v1/enroll", json{{"token", token}, {"facts", json::object()}}.dump())
                 : f.node(key, "POST", "/api/v1/reflectors/register",
                          json{{"token", token}, {"address", "10.1.0.2"}}.dump());
    REQUIRE_MESSAGE(r.status / 100 == 2, r.body);
    return f.body(r)["announce_key"];
  }
  HttpResponse get(const std::string& target, const std::string& remote = "10.1.2.3") {
    HttpRequest req;
    req.method = "GET";
    req.target = target;
    req.remote_address = remote;
    return f.app->handle(req);
  }
  HttpResponse announce(const std::string& key, const std::string& hash, uint64_t left) {
    return get("/announce?bckey=" + key + "&info_hash=" + hash + "&peer_id=" + percent(std::string(20, 'p')) +
               "&port=6881&uploaded=0&downloaded=0&left=" + std::to_string(left) + "&event=started");
  }
};

}  // namespace

TEST_CASE("announce answers 200 text/plain bencoded and refuses unknown keys with a failure reason") {
  BtWorld w;
  std::string key = w.join(SecretKey::generate(), "endpoint");
  auto ok = w.announce(key, w.hash1, 0);
  CHECK(ok.status == 200);
  CHECK(ok.content_type == "text/plain");
  CHECK_MESSAGE(ok.body.find("8:intervali") != std::string::npos, ok.body);
  CHECK(ok.body.find("8:completei1e") != std::string::npos);

  auto unknown = w.announce(std::string(32, 'a'), w.hash1, 0);
  CHECK(unknown.status == 200);
  CHECK_MESSAGE(unknown.body.find("14:failure reason") != std::string::npos, unknown.body);
  CHECK(unknown.body.find("unknown or revoked") != std::string::npos);
}

TEST_CASE("an endpoint may announce only layers of its desired stack and never retired ones") {
  BtWorld w;
  std::string key = w.join(SecretKey::generate(), "endpoint");
  auto other = w.announce(key, w.hash2, 100);
  CHECK_MESSAGE(other.body.find("not assigned to this node") != std::string::npos, other.body);
  // A scrape leaves the unassigned hash out but counts the assigned one.
  REQUIRE(w.announce(key, w.hash1, 0).body.find("failure") == std::string::npos);
  auto scrape = w.get("/scrape?bckey=" + key + "&info_hash=" + w.hash1 + "&info_hash=" + w.hash2);
  CHECK(scrape.status == 200);
  CHECK_MESSAGE(scrape.body.find("8:completei1e") != std::string::npos, scrape.body);
  CHECK(scrape.body.find("5:filesd20:") != std::string::npos);
  CHECK(scrape.body.find("ee20:") == std::string::npos);  // one file only

  REQUIRE(w.f.call("POST", "/api/v1/layers/base@1/retire").status / 100 == 2);
  auto retired = w.announce(key, w.hash1, 0);
  CHECK_MESSAGE(retired.body.find("not a published layer") != std::string::npos, retired.body);
}

TEST_CASE("a removed endpoint's key is refused and metrics count announces by branch") {
  BtWorld w;
  auto node = SecretKey::generate();
  std::string key = w.join(node, "endpoint");
  REQUIRE(w.announce(key, w.hash1, 0).body.find("failure") == std::string::npos);
  auto m = w.f.call("GET", "/metrics");
  CHECK_MESSAGE(m.body.find("bc_tracker_announces_total{branch=\"hq\",event=\"started\"}") != std::string::npos,
                m.body);
  REQUIRE(w.f.call("DELETE", "/api/v1/endpoints/" + to_hex(node.public_key())).status / 100 == 2);
  CHECK(w.announce(key, w.hash1, 0).body.find("unknown or revoked") != std::string::npos);
}

TEST_CASE("a reflector may announce only its branch layers and endpoints of the branch are handed it") {
  BtWorld w;
  std::string ep = w.join(SecretKey::generate(), "endpoint");
  std::string refl = w.join(SecretKey::generate(), "reflector");
  CHECK(w.announce(refl, w.hash2, 100).body.find("not assigned to this node") != std::string::npos);
  auto r = w.announce(refl, w.hash1, 0);
  REQUIRE_MESSAGE(r.body.find("failure") == std::string::npos, r.body);
  // The endpoint, with a live reflector in its branch, is handed the reflector (10.1.2.3 here).
  auto e = w.announce(ep, w.hash1, 100);
  CHECK_MESSAGE(e.body.find("5:peers6:") != std::string::npos, e.body);
}

TEST_CASE("the origin's announce key resolves to the origin and reflectors are handed the origin") {
  const std::string origin_key = "origin-announce-key-0123456789";
  BtWorld w("[origin]\nenabled = true\nlisten = \"127.0.0.1:0\"\nannounce_key = \"" + origin_key + "\"\n");
  // The origin may announce every published layer, assigned or not.
  auto o = w.announce(origin_key, w.hash2, 0);
  CHECK_MESSAGE(o.body.find("failure") == std::string::npos, o.body);
  auto o1 = w.announce(origin_key, w.hash1, 0);
  REQUIRE_MESSAGE(o1.body.find("failure") == std::string::npos, o1.body);
  // A reflector of a branch assigned base@1 gets the origin (it announced from 10.1.2.3).
  std::string refl = w.join(SecretKey::generate(), "reflector");
  auto r = w.announce(refl, w.hash1, 100);
  REQUIRE_MESSAGE(r.body.find("failure") == std::string::npos, r.body);
  CHECK_MESSAGE(r.body.find("5:peers6:") != std::string::npos, r.body);  // one compact peer: the origin
  // Without an [origin] section the same key is just unknown.
  BtWorld plain;
  CHECK(plain.announce(origin_key, plain.hash1, 0).body.find("unknown or revoked") != std::string::npos);
}

TEST_CASE("a branch's wan_fallback decides whether its endpoints without a reflector get the origin, at once") {
  const std::string origin_key = "origin-announce-key-0123456789";
  BtWorld w("[origin]\nenabled = true\nlisten = \"127.0.0.1:0\"\nannounce_key = \"" + origin_key + "\"\n");
  REQUIRE(w.announce(origin_key, w.hash1, 0).body.find("failure") == std::string::npos);
  const std::string ep = w.join(SecretKey::generate(), "endpoint");
  auto allowed = w.announce(ep, w.hash1, 100);  // the tracker's default: fall back to the origin
  CHECK_MESSAGE(allowed.body.find("5:peers6:") != std::string::npos, allowed.body);
  auto put = w.f.call("PUT", "/api/v1/branches/hq", json{{"subnets", {"10.1.0.0/16"}}, {"wan_fallback", false}}.dump());
  REQUIRE(put.status == 200);
  CHECK(w.f.body(put)["wan_fallback"] == false);
  auto denied = w.announce(ep, w.hash1, 100);
  CHECK_MESSAGE(denied.body.find("5:peers0:") != std::string::npos, denied.body);
  CHECK(w.f.call("PUT", "/api/v1/branches/hq", R"({"subnets": [], "wan_fallback": "no"})").status == 400);
}

// The directory caches keys and entitlement between announces (see
// tracker/service/bt_directory_cache.hpp); these prove every write that can
// change an answer is seen by the very next announce.

TEST_CASE("a cached endpoint entitlement follows branch and endpoint assignment changes at once") {
  BtWorld w;
  auto node = SecretKey::generate();
  std::string key = w.join(node, "endpoint");
  for (int i = 0; i < 2; ++i) {  // twice: the second pair is answered from the cache
    REQUIRE(w.announce(key, w.hash1, 0).body.find("failure") == std::string::npos);
    REQUIRE(w.announce(key, w.hash2, 0).body.find("not assigned to this node") != std::string::npos);
  }
  REQUIRE(w.f.call("PUT", "/api/v1/assignments/branch/hq", json{{"stack", {"other@1"}}}.dump()).status / 100 == 2);
  CHECK(w.announce(key, w.hash1, 0).body.find("not assigned to this node") != std::string::npos);
  CHECK(w.announce(key, w.hash2, 0).body.find("failure") == std::string::npos);
  // An endpoint's own assignment overrides the branch's.
  std::string target = "/api/v1/assignments/endpoint/" + to_hex(node.public_key());
  REQUIRE(w.f.call("PUT", target, json{{"stack", {"base@1"}}}.dump()).status / 100 == 2);
  CHECK(w.announce(key, w.hash1, 0).body.find("failure") == std::string::npos);
  CHECK(w.announce(key, w.hash2, 0).body.find("not assigned to this node") != std::string::npos);
}

TEST_CASE("a cached reflector entitlement grows at once when an endpoint of its branch is assigned a layer") {
  BtWorld w;
  auto ep = SecretKey::generate();
  w.join(ep, "endpoint");
  std::string refl = w.join(SecretKey::generate(), "reflector");
  CHECK(w.announce(refl, w.hash2, 100).body.find("not assigned to this node") != std::string::npos);
  CHECK(w.announce(refl, w.hash2, 100).body.find("not assigned to this node") != std::string::npos);
  std::string target = "/api/v1/assignments/endpoint/" + to_hex(ep.public_key());
  REQUIRE(w.f.call("PUT", target, json{{"stack", {"other@1"}}}.dump()).status / 100 == 2);
  auto r = w.announce(refl, w.hash2, 100);
  CHECK_MESSAGE(r.body.find("failure") == std::string::npos, r.body);
}

TEST_CASE("a cached key and layer are refused at once after the node is removed or the layer retired") {
  BtWorld w;
  auto a = SecretKey::generate(), b = SecretKey::generate();
  std::string ka = w.join(a, "endpoint"), kb = w.join(b, "endpoint");
  for (int i = 0; i < 2; ++i) {
    REQUIRE(w.announce(ka, w.hash1, 0).body.find("failure") == std::string::npos);
    REQUIRE(w.announce(kb, w.hash1, 0).body.find("failure") == std::string::npos);
  }
  REQUIRE(w.f.call("DELETE", "/api/v1/endpoints/" + to_hex(a.public_key())).status / 100 == 2);
  CHECK(w.announce(ka, w.hash1, 0).body.find("unknown or revoked") != std::string::npos);
  CHECK(w.announce(kb, w.hash1, 0).body.find("failure") == std::string::npos);
  REQUIRE(w.f.call("POST", "/api/v1/layers/base@1/retire").status / 100 == 2);
  CHECK(w.announce(kb, w.hash1, 0).body.find("not a published layer") != std::string::npos);
}

TEST_CASE("the directory answers repeat announces from its cache and reflector liveness follows heartbeats") {
  BtWorld w;
  auto refl_key = SecretKey::generate();
  std::string ep = w.join(SecretKey::generate(), "endpoint");
  w.join(refl_key, "reflector");
  StoreBtDirectory dir(w.f.app->store(), w.f.clock);
  auto src = bt::IpAddress::parse("10.1.2.3");
  REQUIRE(src);
  auto layer = w.f.body(w.f.call("GET", "/api/v1/layers/base@1"));
  auto hash = bt::InfoHash::from_v2_hex(layer.value("info_hash", ""));
  REQUIRE_MESSAGE(hash, layer.dump());

  auto first = dir.node_for_key(ep, *src);
  REQUIRE(first.ok());
  CHECK(first->branch_has_live_reflector);
  REQUIRE(dir.torrent_bytes(*hash).ok());
  auto misses = dir.cache_stats().misses;
  REQUIRE(dir.node_for_key(ep, *src).ok());
  REQUIRE(dir.torrent_bytes(*hash).ok());
  CHECK(dir.cache_stats().misses == misses);  // nothing re-read
  CHECK(dir.cache_stats().hits >= 2);

  // Liveness is judged against the clock on every call, and a heartbeat (a
  // write that does not notify) counts at once.
  w.f.clock.advance_ms(301'000);
  CHECK_FALSE(dir.node_for_key(ep, *src)->branch_has_live_reflector);
  auto hb = w.f.node(refl_key, "POST", "/api/v1/reflectors/heartbeat", json::object().dump(), "10.1.0.2");
  REQUIRE_MESSAGE(hb.status / 100 == 2, hb.body);
  CHECK(dir.node_for_key(ep, *src)->branch_has_live_reflector);
  CHECK(dir.cache_stats().misses == misses);  // a heartbeat leaves keys and entitlement cached
}

TEST_CASE("the directory cache stays bounded: a full map restarts empty and answers stay right") {
  BtWorld w;
  auto a = SecretKey::generate(), b = SecretKey::generate();
  std::string ka = w.join(a, "endpoint"), kb = w.join(b, "endpoint");
  REQUIRE(w.f.call("PUT", "/api/v1/assignments/endpoint/" + to_hex(b.public_key()),
                   json{{"stack", {"other@1"}}}.dump()).status / 100 == 2);
  StoreBtDirectoryOptions o;
  o.cache_max_entries = 1;
  StoreBtDirectory dir(w.f.app->store(), w.f.clock, o);
  auto src = bt::IpAddress::parse("10.1.2.3");
  auto base = bt::InfoHash::from_v2_hex(w.f.body(w.f.call("GET", "/api/v1/layers/base@1")).value("info_hash", ""));
  auto other = bt::InfoHash::from_v2_hex(w.f.body(w.f.call("GET", "/api/v1/layers/other@1")).value("info_hash", ""));
  REQUIRE((src && base && other));
  for (int i = 0; i < 3; ++i) {  // a and b alternate, so each lookup evicts the other's entries
    REQUIRE(dir.node_for_key(ka, *src).ok());
    CHECK(dir.torrent_bytes(*base).ok());
    CHECK(dir.torrent_bytes(*other).status().code() == Status::Code::permission_denied);
    REQUIRE(dir.node_for_key(kb, *src).ok());
    CHECK(dir.torrent_bytes(*other).ok());
    CHECK(dir.torrent_bytes(*base).status().code() == Status::Code::permission_denied);
  }
  CHECK(dir.cache_stats().evictions >= 8);
}

TEST_CASE("the [announce] intervals from the config file are what announces tell clients") {
  BtWorld w("[announce]\ninterval_s = 600\nmin_interval_s = 30\n");
  std::string key = w.join(SecretKey::generate(), "endpoint");
  auto r = w.announce(key, w.hash1, 0);
  CHECK_MESSAGE(r.body.find("8:intervali600e") != std::string::npos, r.body);
  CHECK(r.body.find("12:min intervali30e") != std::string::npos);
}
