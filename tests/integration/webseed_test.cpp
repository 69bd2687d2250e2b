// Tokenized web seeds on the real bc-tracker over real HTTPS on loopback
// (docs/security.md, "Web seeds"): a real libtorrent session downloads an SSL
// torrent's layer from the tracker's own web seed alone, and every request
// that is not exactly a fresh token of an entitled, unrevoked node for a
// file of that layer is refused and counted.
#include <doctest/doctest.h>

#include "tests/integration/support/web_seed_world.hpp"

using namespace bc;
using namespace bc::test;
using namespace bc::tracker;
using nlohmann::json;

TEST_CASE("the desired state hands a node tokenized web seed URLs for its entitled layers only") {
  WebSeedWorld w;
  const json& seeds = w.desired["layer_web_seeds"];
  REQUIRE(seeds.is_object());
  CHECK(seeds.size() == 1);  // app@1 only; other@1 is branch b's
  CHECK(!seeds.contains(w.info_hash["other@1"]));
  const auto& urls = seeds[w.info_hash["app@1"]];
  REQUIRE(urls.size() == 2);  // the tracker's own and the external base, the same token in both
  const std::string own = w.own_url("app@1");
  auto parsed = parse_web_seed_path(WebSeedWorld::path_of(own));
  REQUIRE(parsed.ok());
  CHECK(parsed->prefix == std::vector<std::string>{"ws"});
  CHECK(parsed->token.node_id == w.node_id);
  CHECK(parsed->token.info_hash == w.info_hash["app@1"]);
  const int64_t left = parsed->token.expiry_unix_s - w.t.clock.unix_s();
  CHECK((left > 600 * 3 / 4 - 5 && left <= 600));
  CHECK(urls[1] == "https://cdn.example/origin/" + w.node_id + "/" + std::to_string(parsed->token.expiry_unix_s) +
                       "/" + parsed->token.mac_hex + "/" + w.info_hash["app@1"] + "/");
  // The URLs hold still within a quarter of the TTL: the next poll is a 304
  // (an ETag that changed every second would turn every long poll into a 200).
  auto again = w.node.poll_desired(w.etag);
  REQUIRE(again.ok());
  const int64_t step_s = 600 / 4;
  if (w.polled_at_s / step_s == w.t.clock.unix_s() / step_s) CHECK(again->status == 304);
  // The tracker log never holds a MAC.
  CHECK(w.status(WebSeedWorld::path_of(own) + "app-v1/bin/tool", "Range: bytes=0-9\r\n") == 206);
  auto log = read_small_file(w.t.proc.log_path(), 64 << 20);
  REQUIRE(log.ok());
  CHECK(log->find(parsed->token.mac_hex) == std::string::npos);
}

TEST_CASE("a real libtorrent session downloads an SSL torrent's layer from the tracker's HTTPS web seed alone") {
  WebSeedWorld w;
  auto node = w.start_node();
  // The tracker's own URL only (the external one names a host that does not exist).
  REQUIRE(node->set_layer_web_seeds({{w.info_hash["app@1"], {w.own_url("app@1")}}}).ok());
  w.add_app_layer(*node);
  REQUIRE_MESSAGE(w.wait_complete(*node), "no download from the web seed; tracker log: " << w.t.proc.log_path());
  // Complete means every piece passed the v2 merkle check; the bytes are the layer's.
  auto got = read_small_file(w.t.tmp / "payload/bin/tool", 8 << 20);
  REQUIRE(got.ok());
  CHECK(*got == kBig);
  CHECK(w.forbidden() == 0);
}

TEST_CASE("a live torrent swaps an expired web seed URL for a fresh one and completes from it") {
  WebSeedWorld w;
  auto node = w.start_node();
  const std::string expired =
      "https://127.0.0.1:" + std::to_string(w.t.port) +
      w.token_path(w.node_id, w.t.clock.unix_s() - 3600, w.info_hash["app@1"]);
  REQUIRE(node->set_layer_web_seeds({{w.info_hash["app@1"], {expired}}}).ok());
  w.add_app_layer(*node);
  // libtorrent tried the expired URL and was refused (403, 0 bytes)...
  REQUIRE(test::eventually(
      [&] {
        node->poll_events(100);
        return w.forbidden() >= 1;
      },
      30'000, 0));
  auto st = node->layer_status(LayerRef{"app", 1});
  REQUIRE(st.ok());
  CHECK(st->done_bytes == 0);
  // ...and the next desired state's URL replaces it on the live torrent: no
  // wait for libtorrent's 30 s retry of the refused one.
  REQUIRE(node->set_layer_web_seeds({{w.info_hash["app@1"], {w.own_url("app@1")}}}).ok());
  REQUIRE_MESSAGE(w.wait_complete(*node), "no download after the swap; tracker log: " << w.t.proc.log_path());
}

TEST_CASE("the tracker's web seed answers one Range with 206, a bad one with 416, and reads the layer's own bytes") {
  WebSeedWorld w;
  const std::string file = WebSeedWorld::path_of(w.own_url("app@1")) + "app-v1/bin/tool";
  std::string raw = w.get(file, "Range: bytes=1048576-1048675\r\n");
  CHECK(test::status_of(raw) == 206);
  CHECK(raw.find("Content-Range: bytes 1048576-1048675/" + std::to_string(kBig.size())) != std::string::npos);
  CHECK(test::body_of(raw) == kBig.substr(1048576, 100));
  raw = w.get(file, "Range: bytes=" + std::to_string(kBig.size()) + "-\r\n");
  CHECK(test::status_of(raw) == 416);
  CHECK(raw.find("Content-Range: bytes */" + std::to_string(kBig.size())) != std::string::npos);
  CHECK(w.status(file, "Range: bytes=0-1,5-6\r\n") == 416);  // one range only
  CHECK(test::body_of(w.get(file)) == kBig);  // 3 MiB: within the per-request limit, whole
  // Small files travel packed in bins, served at the torrent's path for them.
  CHECK(w.status(WebSeedWorld::path_of(w.own_url("app@1")) + "app-v1/.bc-pack/0", "Range: bytes=0-3\r\n") == 206);
  CHECK(w.forbidden() == 0);
}

TEST_CASE("expired, tampered, another node's or another layer's tokens, traversal and bad shapes get 403/404, counted") {
  WebSeedWorld w;
  const std::string own = WebSeedWorld::path_of(w.own_url("app@1"));
  const std::string ih = w.info_hash["app@1"], file = "app-v1/bin/tool", range = "Range: bytes=0-99\r\n";
  const int64_t now = w.t.clock.unix_s();
  REQUIRE(w.status(own + file, range) == 206);
  double refused = w.forbidden();
  auto refused_with = [&](const std::string& target, int want, const char* what) {
    std::string raw = w.get(target, range);
    CHECK_MESSAGE(test::status_of(raw) == want, what << ": " << raw.substr(0, 200));
    CHECK_MESSAGE(test::body_of(raw).find(kBig.substr(0, 100)) == std::string::npos, what);  // 0 payload bytes
    CHECK_MESSAGE(w.forbidden() == ++refused, what << " is counted");
  };
  // Expired (beyond the 60 s grace), with the tracker's own secret.
  refused_with(w.token_path(w.node_id, now - 61, ih) + file, 403, "an expired token");
  CHECK(w.status(w.token_path(w.node_id, now - 5, ih) + file, range) == 206);  // within the grace
  refused_with(w.token_path(w.node_id, now + 7 * 86400, ih) + file, 403, "an expiry further than the TTL");
  // Tampered: one hex digit of the MAC, the node, the expiry or the info-hash changed.
  auto parsed = parse_web_seed_path(own);
  REQUIRE(parsed.ok());
  WebSeedToken t = parsed->token;
  WebSeedToken bad = t;
  bad.mac_hex[0] = bad.mac_hex[0] == 'f' ? 'e' : 'f';
  refused_with(WebSeedWorld::path_of(web_seed_token_url("https://x/ws", bad)) + file, 403, "a tampered MAC");
  bad = t;
  bad.expiry_unix_s += 1;
  refused_with(WebSeedWorld::path_of(web_seed_token_url("https://x/ws", bad)) + file, 403, "a stretched expiry");
  // Node B uses node A's token: B's id in the path, A's MAC.
  SecretKey b_key = SecretKey::generate();
  TrackerClient b(w.t.client_options(), &b_key, "", w.t.clock);
  w.t.enroll_endpoint(b);
  auto b_desired = b.poll_desired("");
  REQUIRE(b_desired.ok());
  bad = t;
  bad.node_id = b_desired->state["node"];
  refused_with(WebSeedWorld::path_of(web_seed_token_url("https://x/ws", bad)) + file, 403, "node A's token used by B");
  // Layer X's token for layer Y: Y's info-hash with X's MAC, and X's token with Y's path.
  bad = t;
  bad.info_hash = w.info_hash["other@1"];
  refused_with(WebSeedWorld::path_of(web_seed_token_url("https://x/ws", bad)) + "other-v1/etc/other", 403,
               "app@1's token for other@1");
  refused_with(own + "other-v1/etc/other", 404, "app@1's token with other@1's path");
  // Not entitled: other@1 is branch b's; even a token made with the real secret is refused.
  refused_with(w.token_path(w.node_id, now + 60, w.info_hash["other@1"]) + "other-v1/etc/other", 403,
               "a forged token for a layer the node is not entitled to");
  // Traversal and absolute paths map to no file of the layer; nothing outside is read.
  for (const std::string& p : {std::string("app-v1/../../webseed.key"), std::string("app-v1/%2e%2e/%2e%2e/webseed.key"),
                               std::string("..%2f..%2fwebseed.key"), std::string("app-v1/bin/../bin/tool")})
    refused_with(own + p, 404, p.c_str());
  refused_with(own + "/etc/passwd", 403, "an absolute path (an empty segment)");
  refused_with("/ws/app-v1/bin/tool", 403, "no token at all");
}

TEST_CASE("a revoked node's token is refused at once, on the web seed and on the auth_request check") {
  WebSeedWorld w;
  const std::string own = WebSeedWorld::path_of(w.own_url("app@1"));
  const std::string file = own + "app-v1/bin/tool";
  auto check = [&](const std::string& uri) {
    return w.status("/api/v1/webseed/check", "X-Original-URI: " + uri + "\r\n");
  };
  // The check route sees the token wherever a web server's prefix puts it.
  const std::string cdn = "/origin" + own.substr(3) + "app-v1/bin/tool";
  CHECK(check(cdn) == 204);
  CHECK(check(file) == 204);
  // No file of the layer: 403 here (auth_request knows no 404).
  CHECK(check("/origin" + own.substr(3) + "app-v1/../x") == 403);
  CHECK(w.status("/api/v1/webseed/check") == 403);  // no X-Original-URI
  std::string tampered = cdn;
  const size_t mac_at = tampered.find(parse_web_seed_path(own)->token.mac_hex);
  tampered[mac_at] = tampered[mac_at] == '0' ? '1' : '0';
  CHECK(check(tampered) == 403);
  const double before = w.forbidden();
  CHECK(before == 3);
  REQUIRE(w.status(file, "Range: bytes=0-9\r\n") == 206);
  REQUIRE(w.t.admin.admin_json("POST", "/api/v1/nodes/" + w.node_id + "/revoke", json::object()).ok());
  CHECK(w.status(file, "Range: bytes=0-9\r\n") == 403);
  CHECK(check(cdn) == 403);
  CHECK(w.forbidden() == before + 2);
}

