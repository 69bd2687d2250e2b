// Node certificates and revocation through the full in-process pipeline
// (TrackerApp, real LMDB, the real tracker CA): names follow entitlement,
// reissue rules, superseded and revoked serials, a revoked node refused
// everywhere, SSL torrents at import.
#include <doctest/doctest.h>

#include "layers/pki/pki.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "layers/torrent/ssl_torrent.hpp"
#include "tests/support/bt_query.hpp"
#include "tests/tracker/api/api_fixture.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/bt/info_hash.hpp"
#include "tracker/service/node_certs.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {

struct CertWorld {
  test::ApiFixture f;
  pki::KeyPair tls = *pki::generate_key();

  explicit CertWorld(const std::string& extra_toml = "") : f(extra_toml) {
    for (auto [ref, file] : {std::pair{"base@1", "a"}, std::pair{"office@2", "b"}, std::pair{"tools@3", "c"}})
      f.import_layer(ref, {{"etc/" + std::string(file), "x"}});
    REQUIRE(f.call("PUT", "/api/v1/branches/a", json{{"subnets", {"10.1.0.0/16"}}}.dump()).status == 200);
    REQUIRE(f.call("PUT", "/api/v1/branches/b", json{{"subnets", {"10.2.0.0/16"}}}.dump()).status == 200);
    REQUIRE(f.call("PUT", "/api/v1/assignments/branch/a", json{{"stack", {"base@1", "tools@3"}}}.dump()).status == 200);
    REQUIRE(f.call("PUT", "/api/v1/assignments/branch/b", json{{"stack", {"office@2"}}}.dump()).status == 200);
  }
  // Enrolls an endpoint (or registers a reflector) in `branch`; returns its announce key.
  std::string join(const SecretKey& key, const std::string& role, const std::string& branch) {
    auto tok = f.call("POST", "/api/v1/enrollment-tokens", json{{"role", role}, {"branch", branch}}.dump());
    std::string token = f.body(tok)["token"];
    auto r = role == "endpoint"
                 ? f.node(key, "POST", "/api/v1/enroll", json{{"token", token}}.dump())
                 : f.node(key, "POST", "/api/v1/reflectors/register", json{{"token", token}, {"address", "10.2.0.2"}}.dump());
    REQUIRE_MESSAGE(r.status / 100 == 2, r.body);
    return f.body(r)["announce_key"];
  }
  HttpResponse cert(const SecretKey& key, const std::string& public_pem) {
    return f.node(key, "POST", "/api/v1/cert", json{{"public_key", public_pem}}.dump());
  }
  json cert_ok(const SecretKey& key) {
    auto r = cert(key, tls.public_pem);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return f.body(r);
  }
  std::vector<std::string> revoked(const SecretKey& key) {
    auto r = f.node(key, "GET", "/api/v1/revoked");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return f.body(r)["serials"].get<std::vector<std::string>>();
  }
};

}  // namespace

TEST_CASE("a hub's reflector holds and is certified for what its child branches need, a leaf's only its own") {
  CertWorld w;
  // "emea" is the hub of branch b; branch a has no parent.
  REQUIRE(w.f.call("PUT", "/api/v1/branches/emea", json{{"subnets", {"10.50.0.0/16"}}}.dump()).status == 200);
  REQUIRE(w.f.call("PUT", "/api/v1/branches/b", json{{"subnets", {"10.2.0.0/16"}}, {"parent", "emea"}}.dump()).status ==
          200);
  auto hub = SecretKey::generate(), leaf = SecretKey::generate();
  w.join(hub, "reflector", "emea");
  w.join(leaf, "reflector", "b");
  auto layers = [&](const SecretKey& k) {
    auto r = w.f.node(k, "GET", "/api/v1/desired");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    std::vector<std::string> refs;
    const json body = w.f.body(r);  // held: a range over a temporary's member would dangle
    for (const auto& l : body["layers"]) refs.push_back(l["ref"].get<std::string>());
    return refs;
  };
  CHECK(layers(hub) == std::vector<std::string>{"office@2"});  // b's assignment: the hub prefetches it
  CHECK(layers(leaf) == std::vector<std::string>{"office@2"});
  CHECK(w.cert_ok(hub)["names"] == json{"office-v2"});
  // A new assignment in the child reaches the hub's desired state.
  REQUIRE(w.f.call("PUT", "/api/v1/assignments/branch/b", json{{"stack", {"base@1", "office@2"}}}.dump()).status ==
          200);
  CHECK(layers(hub) == std::vector<std::string>{"base@1", "office@2"});
  // The hub's own branch assignment is its own; a's is nobody's business here.
  REQUIRE(w.f.call("PUT", "/api/v1/assignments/branch/emea", json{{"stack", {"tools@3"}}}.dump()).status == 200);
  CHECK(layers(hub) == std::vector<std::string>{"base@1", "office@2", "tools@3"});
  CHECK(layers(leaf) == std::vector<std::string>{"base@1", "office@2"});
}

TEST_CASE("a node certificate names exactly the torrents its entitlement holds, signed by the tracker CA") {
  CertWorld w;
  auto ep = SecretKey::generate(), refl = SecretKey::generate();
  w.join(ep, "endpoint", "a");
  w.join(refl, "reflector", "b");
  json c = w.cert_ok(ep);
  CHECK(c["names"] == json{"base-v1", "tools-v3"});
  CHECK(c["ca"] == w.f.app->ca().ca_cert_pem());
  auto info = pki::inspect(c["cert"].get<std::string>());
  REQUIRE(info.ok());
  CHECK(info->dns_names == std::vector<std::string>{"base-v1", "tools-v3"});
  CHECK(info->common_name == public_key_hex(ep.public_key()));
  CHECK(info->serial_hex == c["serial"]);
  CHECK(info->public_pem == w.tls.public_pem);
  CHECK(pki::verify_issued_by(c["cert"], w.f.app->ca().ca_cert_pem(), w.f.clock.unix_s()).ok());
  CHECK(c["not_after"].get<int64_t>() == w.f.clock.unix_s() + 3600);  // [pki] node_cert_lifetime_s default
  // The reflector of branch b: what its branch needs, nothing of branch a.
  CHECK(w.cert_ok(refl)["names"] == json{"office-v2"});
  // A stranger (signed, not enrolled) gets nothing; a bad key is a precise 400.
  CHECK(w.cert(SecretKey::generate(), w.tls.public_pem).status == 403);
  auto bad = w.cert(ep, "not a pem");
  CHECK(bad.status == 400);
  CHECK(w.f.body(bad)["error"].get<std::string>().find("public_key") != std::string::npos);
}

TEST_CASE("asking again reuses the certificate before half-life, renews after it, and refuses a new key within 60 s") {
  CertWorld w;
  auto ep = SecretKey::generate();
  w.join(ep, "endpoint", "a");
  json first = w.cert_ok(ep);
  w.f.clock.advance_ms(30'000);
  auto other = *pki::generate_key();
  auto early = w.cert(ep, other.public_pem);
  CHECK(early.status == 503);
  CHECK(w.f.body(early)["error"].get<std::string>().find("retry in 30 s") != std::string::npos);
  w.f.clock.advance_ms(30'000);
  CHECK(w.cert_ok(ep)["serial"] == first["serial"]);  // a retry or restart: same answer
  w.f.clock.advance_ms(1'740'000);  // past half-life
  json renewed = w.cert_ok(ep);
  CHECK(renewed["serial"] != first["serial"]);
  CHECK(w.revoked(ep).empty());  // same names: the old one stays valid until it expires
}

TEST_CASE("a reissue that drops names revokes the superseded serial; expired serials leave the list") {
  CertWorld w;
  auto ep = SecretKey::generate();
  w.join(ep, "endpoint", "a");
  json first = w.cert_ok(ep);
  REQUIRE(w.f.call("PUT", "/api/v1/assignments/branch/a", json{{"stack", {"base@1"}}}.dump()).status == 200);
  json second = w.cert_ok(ep);
  CHECK(second["names"] == json{"base-v1"});
  CHECK(w.revoked(ep) == std::vector<std::string>{first["serial"].get<std::string>()});
  // Growing the entitlement does not revoke: the old names are a subset.
  REQUIRE(w.f.call("PUT", "/api/v1/assignments/branch/a", json{{"stack", {"base@1", "office@2"}}}.dump()).status == 200);
  json third = w.cert_ok(ep);
  CHECK(third["names"] == json{"base-v1", "office-v2"});
  CHECK(w.revoked(ep).size() == 1);
  w.f.clock.advance_ms(3'601'000);
  CHECK(w.revoked(ep).empty());  // the revoked certificate expired: peers refuse it anyway
}

TEST_CASE("plan_issue keeps at most kMaxLiveCertsPerNode live certificates, superseding the oldest") {
  std::vector<NodeCert> live;
  for (int i = 0; i < 4; ++i)
    live.push_back(NodeCert{"n", "s" + std::to_string(i), "k", {"a-v1"}, 1000 + i * 100, 1000 + i * 100 + 3600, ""});
  IssuePlan p = plan_issue(live, {"a-v1"}, "k", 1000 + 300 + 1900);  // past the newest's half-life
  CHECK(p.refused.ok());
  CHECK(!p.reuse);
  REQUIRE(p.supersede.size() == 1);
  CHECK(p.supersede[0].serial == "s0");
  IssuePlan dropped = plan_issue(live, {}, "k", 1000 + 300 + 1900);
  CHECK(dropped.supersede.size() == 4);  // every one names a layer the new one drops
}

TEST_CASE("a revoked node gets 403 on every route, its serials are revoked and its announce key refused") {
  CertWorld w;
  auto ep = SecretKey::generate(), other = SecretKey::generate();
  std::string announce_key = w.join(ep, "endpoint", "a");
  w.join(other, "endpoint", "a");
  json c = w.cert_ok(ep);
  std::string id = public_key_hex(ep.public_key());
  CHECK(w.f.call("POST", "/api/v1/nodes/" + id + "/revoke", "", w.f.make_token("operator")).status == 403);
  auto r = w.f.call("POST", "/api/v1/nodes/" + id + "/revoke");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(w.f.body(r)["serials"] == json{c["serial"]});
  for (auto [method, target] : {std::pair{"GET", "/api/v1/desired"}, std::pair{"POST", "/api/v1/cert"},
                                std::pair{"GET", "/api/v1/revoked"}, std::pair{"GET", "/api/v1/layers/base@1/manifest"},
                                std::pair{"POST", "/api/v1/enroll"}}) {
    auto res = w.f.node(ep, method, target, method == std::string("POST") ? R"({"token":"x"})" : "");
    CHECK_MESSAGE(res.status == 403, target);
    CHECK(w.f.body(res)["error"] == "node " + id + " is revoked");
  }
  CHECK(w.revoked(other) == std::vector<std::string>{c["serial"].get<std::string>()});
  auto h = bt::InfoHash::from_v2_hex(w.f.body(w.f.call("GET", "/api/v1/layers/base@1"))["info_hash"].get<std::string>());
  HttpRequest req;
  req.method = "GET";
  req.remote_address = "10.1.2.3";
  req.target = "/announce?bckey=" + announce_key + "&info_hash=" + test::percent(h->raw()) + "&peer_id=" +
               test::percent(std::string(20, 'p')) + "&port=6881&uploaded=0&downloaded=0&left=1&event=started";
  auto a = w.f.app->handle(req);
  CHECK(a.body.find("failure reason") != std::string::npos);
  CHECK(w.f.call("POST", "/api/v1/nodes/" + std::string(64, 'a') + "/revoke").status == 404);
  auto audit = w.f.body(w.f.call("GET", "/api/v1/audit"));
  CHECK(audit.dump().find("node.revoke") != std::string::npos);
}

TEST_CASE("import publishes an SSL torrent carrying the tracker CA and signs the manifest with its info-hash") {
  CertWorld w;
  auto m = w.f.call("GET", "/api/v1/layers/base@1/torrent");
  REQUIRE(m.status == 200);
  auto facts = read_layer_torrent(m.body);
  REQUIRE(facts.ok());
  CHECK(facts->ssl_cert == w.f.app->ca().ca_cert_pem());
  auto rec = w.f.body(w.f.call("GET", "/api/v1/layers/base@1"));
  CHECK(rec["info_hash"] == facts->info_hash);
  auto manifest = Manifest::decode(w.f.call("GET", "/api/v1/layers/base@1/manifest").body);
  REQUIRE(manifest.ok());
  CHECK(manifest->info_hash == facts->info_hash);

  CertWorld plain("[pki]\ninsecure_plain_torrents = true\n");
  CHECK(read_layer_torrent(plain.f.call("GET", "/api/v1/layers/base@1/torrent").body)->ssl_cert.empty());
}
