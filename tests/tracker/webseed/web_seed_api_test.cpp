// Tokenized web seeds through the in-process tracker (TrackerApp, real LMDB,
// a ManualClock): a reflector's URLs follow its branch's needs, URLs hold
// still within a quarter TTL and are renewed after it, and a token works
// until its expiry plus the 60 s grace, not a second longer.
#include <doctest/doctest.h>

#include "tests/support/metrics_text.hpp"
#include "tests/tracker/api/api_fixture.hpp"
#include "tracker/webseed/web_seed_token.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {

const std::string kCdn = "https://cdn.example/o";

struct World {
  test::ApiFixture f{"\n[origin]\nserve_web_seed = true\nweb_seeds = [\"" + kCdn + "\"]\n"};
  std::map<std::string, std::string> info_hash;

  World() {
    for (auto [ref, file] : {std::pair{"base@1", "a"}, std::pair{"other@1", "b"}}) {
      // Random and over 256 KiB: a torrent file of its own (smaller files are packed
      // into bins, compressible large ones chunked), so the URL path names it.
      f.import_layer(ref, {{"etc/" + std::string(file), test::random_bytes(300'000, uint64_t(file[0]))}});
      info_hash[ref] = f.body(f.call("GET", std::string("/api/v1/layers/") + ref))["info_hash"];
    }
    put("/api/v1/branches/a", {{"subnets", {"10.1.0.0/16"}}});
    put("/api/v1/branches/b", {{"subnets", {"10.2.0.0/16"}}});
    put("/api/v1/assignments/branch/a", {{"stack", {"base@1"}}});
    put("/api/v1/assignments/branch/b", {{"stack", {"other@1"}}});
  }
  void put(const std::string& target, const json& body) {
    auto r = f.call("PUT", target, body.dump());
    REQUIRE_MESSAGE(r.status / 100 == 2, r.body);
  }
  json desired(const SecretKey& key) {
    auto r = f.node(key, "GET", "/api/v1/desired");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return f.body(r);
  }
  // The external URL's token on the tracker's own /ws, with a file path.
  HttpResponse fetch(const std::string& cdn_url, const std::string& file) {
    HttpRequest req;
    req.method = "GET";
    req.target = "/ws" + cdn_url.substr(kCdn.size()) + file;
    req.headers["range"] = "bytes=0-9";
    req.remote_address = "10.1.2.3";
    return f.app->handle(req);
  }
};

}  // namespace

TEST_CASE("a reflector gets tokenized URLs for what its branch needs, and none for another branch's layers") {
  World w;
  SecretKey e = SecretKey::generate(), r = SecretKey::generate();
  w.f.join(e, "endpoint", "a");
  w.f.join(r, "reflector", "a");
  const json d = w.desired(r);
  REQUIRE(d.contains("layer_web_seeds"));
  CHECK(d["layer_web_seeds"].size() == 1);
  REQUIRE(d["layer_web_seeds"].contains(w.info_hash["base@1"]));
  const std::string url = d["layer_web_seeds"][w.info_hash["base@1"]][0];
  CHECK(url.rfind(kCdn + "/" + d["node"].get<std::string>() + "/", 0) == 0);
  CHECK(w.fetch(url, "base-v1/etc/a").status == 206);
  // No Host header reached this tracker: no URL of its own (it could not say where it is).
  CHECK(d["layer_web_seeds"][w.info_hash["base@1"]].size() == 1);
}

TEST_CASE("web seed URLs hold still within a quarter TTL, renew after it, and a token dies at expiry plus 60 s") {
  World w;
  SecretKey e = SecretKey::generate();
  w.f.join(e, "endpoint", "a");
  const std::string ih = w.info_hash["base@1"];
  const int64_t t0 = w.f.clock.unix_s();
  REQUIRE(t0 % 900 == 0);  // the fixture's clock starts on a step boundary (TTL 3600 s, step 900 s)
  const std::string u0 = w.desired(e)["layer_web_seeds"][ih][0];
  CHECK(parse_web_seed_path(u0.substr(kCdn.size()))->token.expiry_unix_s == t0 + 3600);
  w.f.clock.advance_ms(899'000);
  CHECK(w.desired(e)["layer_web_seeds"][ih][0] == u0);
  w.f.clock.advance_ms(1'000);
  const std::string u1 = w.desired(e)["layer_web_seeds"][ih][0];
  CHECK(u1 != u0);
  CHECK(parse_web_seed_path(u1.substr(kCdn.size()))->token.expiry_unix_s == t0 + 900 + 3600);
  CHECK(w.fetch(u0, "base-v1/etc/a").status == 206);
  w.f.clock.advance_ms((3600 + 60 - 900) * 1000LL);  // now = expiry + 60: the last second of the grace
  CHECK(w.fetch(u0, "base-v1/etc/a").status == 206);
  w.f.clock.advance_ms(1'000);
  HttpResponse late = w.fetch(u0, "base-v1/etc/a");
  CHECK(late.status == 403);
  CHECK(late.body.find("expired") != std::string::npos);
  CHECK(w.fetch(u1, "base-v1/etc/a").status == 206);
}

TEST_CASE("without web seeds configured the desired state has none and /ws answers 404") {
  test::ApiFixture f;
  SecretKey e = SecretKey::generate();
  f.import_layer("base@1", {{"etc/a", "x"}});
  REQUIRE(f.call("PUT", "/api/v1/branches/a", json{{"subnets", {"10.1.0.0/16"}}}.dump()).status / 100 == 2);
  REQUIRE(f.call("PUT", "/api/v1/assignments/branch/a", json{{"stack", {"base@1"}}}.dump()).status / 100 == 2);
  auto tok = f.body(f.call("POST", "/api/v1/enrollment-tokens", json{{"role", "endpoint"}, {"branch", "a"}}.dump()));
  REQUIRE(f.node(e, "POST", "/api/v1/enroll", json{{"token", tok["token"]}, {"branch", "a"}}.dump()).status / 100 == 2);
  auto d = f.body(f.node(e, "GET", "/api/v1/desired"));
  CHECK(!d.contains("layer_web_seeds"));
  CHECK(!d.contains("web_seeds"));
  HttpRequest req;
  req.method = "GET";
  req.target = "/ws/" + std::string(64, 'a') + "/1/" + std::string(64, 'b') + "/" + std::string(64, 'c') + "/x";
  CHECK(f.app->handle(req).status == 404);
}
