// Tokenized web seeds on the real bc-tracker over real HTTPS on loopback
// (docs/security.md, "Web seeds"): a real libtorrent session downloads an SSL
// torrent's layer from the tracker's own web seed alone, and every request
// that is not exactly a fresh token of an entitled, unrevoked node for a
// file of that layer is refused and counted.
#include <doctest/doctest.h>

#include <libtorrent/alert_types.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/torrent_info.hpp>

#include "layers/pki/pki.hpp"
#include "layers/swarm/node_cert.hpp"
#include "tests/e2e/bare_session.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "layers/util/fs.hpp"
#include "tests/integration/support/running_tracker.hpp"
#include "tests/support/metrics_text.hpp"
#include "tests/support/poll.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/http/http_server.hpp"
#include "tracker/webseed/byte_range.hpp"
#include "tracker/webseed/web_seed_token.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {

const std::string kBig = test::random_bytes(3 << 20, 11);  // several pieces, several ranges

struct WebSeedWorld {
  // `external`: the [origin] web_seeds base.
  explicit WebSeedWorld(const std::string& external = "https://cdn.example/origin")
      : t("\n[origin]\nserve_web_seed = true\nweb_seed_token_ttl_s = 600\nweb_seeds = [\"" + external + "\"]\n") {
    setup();
  }
  test::RunningTracker t;
  SecretKey node_key = SecretKey::generate();
  TrackerClient node{t.client_options(), &node_key, "", t.clock};
  std::map<std::string, std::string> info_hash;  // ref -> v2 hex
  std::string node_id;
  json desired;
  std::string etag;
  int64_t polled_at_s = 0;

  void setup() {
    for (auto [ref, files] : {std::pair<std::string, std::map<std::string, std::string>>{
                                  "app@1", {{"bin/tool", kBig}, {"etc/conf", "k=v\n"}}},
                              {"other@1", {{"etc/other", "secret of branch b\n"}}}}) {
      auto r = t.admin.admin_json("POST", "/api/v1/layers/import", {{"dir", test::make_layer_dir(t.tmp.path(), ref, files)}});
      REQUIRE_MESSAGE(r.ok(), r.status().to_string());
      info_hash[ref] = (*r)["info_hash"];
    }
    REQUIRE(t.admin.admin_json("PUT", "/api/v1/branches/hq", {{"subnets", {"127.0.0.0/8"}}}).ok());
    REQUIRE(t.admin.admin_json("PUT", "/api/v1/branches/b", {{"subnets", {"10.2.0.0/16"}}}).ok());
    REQUIRE(t.admin.admin_json("PUT", "/api/v1/assignments/branch/hq", {{"stack", {"app@1"}}}).ok());
    REQUIRE(t.admin.admin_json("PUT", "/api/v1/assignments/branch/b", {{"stack", {"other@1"}}}).ok());
    t.enroll_endpoint(node);
    auto d = node.poll_desired("");
    REQUIRE_MESSAGE(d.ok(), d.status().to_string());
    desired = d->state;
    etag = d->etag;
    polled_at_s = t.clock.unix_s();
    node_id = desired["node"];
  }
  WebSeedSecret secret() {
    auto bytes = read_small_file(t.tmp.path() + "/data/webseed.key", 64);
    REQUIRE(bytes.ok());
    REQUIRE(bytes->size() == kWebSeedSecretBytes);
    WebSeedSecret s{};
    std::copy(bytes->begin(), bytes->end(), s.begin());
    return s;
  }
  // The tracker's own URL for `ref` in the desired state.
  std::string own_url(const std::string& ref) {
    for (const auto& u : desired["layer_web_seeds"][info_hash[ref]])
      if (u.get<std::string>().rfind("https://127.0.0.1:", 0) == 0) return u;
    FAIL("no own web seed URL for " << ref << " in " << desired.dump());
    return "";
  }
  // The path of `url` (what follows host:port).
  static std::string path_of(const std::string& url) { return url.substr(url.find('/', 8)); }
  std::string get(const std::string& target, const std::string& headers = "") {
    return test::raw_tls_exchange(t.port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                                              headers + "\r\n");
  }
  int status(const std::string& target, const std::string& headers = "") {
    return test::status_of(get(target, headers));
  }
  double forbidden() {
    auto page = t.admin.http().request("GET", "/metrics", "", {});
    REQUIRE(page.ok());
    return test::metric_value(page->body, "bc_tracker_forbidden_total{route=\"webseed\"}").value_or(0);
  }
  // A swarm node on loopback holding the certificate the tracker issues it.
  std::unique_ptr<SwarmNode> start_node() {
    SwarmNodeOptions so;
    so.data_dir = t.tmp / "node";
    so.listen_interfaces = "127.0.0.1:0";
    so.outgoing_interfaces = "127.0.0.1";
    auto n = SwarmNode::start(so);
    REQUIRE(n.ok());
    auto [cert, key] = node_cert();
    REQUIRE((*n)->set_certificate(cert, key).ok());
    return std::move(*n);
  }
  // The node's TLS certificate from the tracker and its private key (PEM).
  std::pair<std::string, std::string> node_cert() {
    auto tls_key = pki::generate_key();
    REQUIRE(tls_key.ok());
    auto cert = expect_json(node.node_call("POST", "/api/v1/cert", json{{"public_key", tls_key->public_pem}}.dump()),
                            "certificate");
    REQUIRE_MESSAGE(cert.ok(), cert.status().to_string());
    return {(*cert)["cert"].get<std::string>(), tls_key->private_pem};
  }
  std::string torrent_of(const std::string& ref) {
    auto tr = t.admin.http().request("GET", "/api/v1/layers/" + ref + "/torrent", "",
                                     {{"Authorization", "Bearer " + test::kAdminToken}});
    REQUIRE((tr.ok() && tr->status == 200));
    return tr->body;
  }
  // app@1, verified against the tracker's signature, into t.tmp/payload.
  void add_app_layer(SwarmNode& n) {
    const std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer " + test::kAdminToken}};
    auto tr = t.admin.http().request("GET", "/api/v1/layers/app@1/torrent", "", auth);
    auto man = t.admin.http().request("GET", "/api/v1/layers/app@1/manifest", "", auth);
    REQUIRE((tr.ok() && tr->status == 200 && man.ok() && man->status == 200));
    auto trusted = TrustedManifest::verify(man->body, *signature_from_hex(man->headers["x-bc-signature"]),
                                           *public_key_from_hex(man->headers["x-bc-signer"]));
    REQUIRE(trusted.ok());
    REQUIRE(n.add_layer(*trusted, tr->body, t.tmp / "payload", LayerMode::download).ok());
  }
  // Waits (bounded, 60 s) for LayerComplete: every piece hash-checked.
  static bool wait_complete(SwarmNode& n) {
    bool complete = false;
    test::eventually(
        [&] {
          for (const auto& e : n.poll_events(100)) complete = complete || std::holds_alternative<LayerComplete>(e);
          return complete;
        },
        60'000, 0);
    return complete;
  }
  std::string token_path(const std::string& node, int64_t expiry, const std::string& ih) {
    return path_of(web_seed_token_url("https://x/ws", make_web_seed_token(secret(), node, expiry, ih)));
  }
};

}  // namespace

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
      "https://127.0.0.1:" + std::to_string(w.t.port) + w.token_path(w.node_id, w.t.clock.unix_s() - 3600, w.info_hash["app@1"]);
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
  CHECK(check("/origin" + own.substr(3) + "app-v1/../x") == 403);  // no file of the layer: 403 (auth_request knows no 404)
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

namespace {

// nginx in front of the store, as docs/api.md configures it: auth_request to
// the tracker's check route with X-Original-URI, then the alias
// /origin/<token>/<info-hash>/<top>/<path> -> DATA/origin/<info-hash>/<path>.
HttpResponse nginx_like(WebSeedWorld& w, HttpRequest& req, std::atomic<int>& granted, std::atomic<int>& refused) {
  HttpClient checker(w.t.client_options());
  auto ok = checker.request("GET", "/api/v1/webseed/check", "", {{"X-Original-URI", req.target}});
  if (!ok.ok() || ok->status != 204) {
    refused++;
    return HttpResponse::error(403, "auth_request said no");
  }
  granted++;
  std::string path;
  std::map<std::string, std::string> query;
  REQUIRE(parse_target(req.target, &path, &query).ok());
  auto p = parse_web_seed_path(path);
  REQUIRE((p.ok() && p->rest.size() >= 2));
  std::string file = w.t.tmp.path() + "/data/origin/" + p->token.info_hash;
  for (size_t i = 1; i < p->rest.size(); ++i) file += "/" + p->rest[i];
  auto bytes = read_small_file(file, 8 << 20);
  REQUIRE(bytes.ok());
  ByteRange r = parse_byte_range(req.header("range"), bytes->size());
  REQUIRE(r.kind == ByteRange::Kind::range);
  HttpResponse res;
  res.status = 206;
  res.content_type = "application/octet-stream";
  res.body = bytes->substr(r.first, r.length());
  res.headers.emplace_back("Content-Range", "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" +
                                                std::to_string(bytes->size()));
  return res;
}

}  // namespace

TEST_CASE("an external HTTPS web seed with a certificate from the tracker's CA and auth_request serves an SSL torrent") {
  const uint16_t port = test::free_tcp_port();
  const std::string base = "https://127.0.0.1:" + std::to_string(port) + "/origin";
  WebSeedWorld w(base);
  // libtorrent trusts only the torrent's root (our CA) for this URL, and
  // checks its host: the web server gets its certificate from the tracker.
  auto key = pki::generate_key();
  REQUIRE(key.ok());
  auto issued = w.t.admin.admin_json("POST", "/api/v1/webseed/certs",
                                     {{"public_key", key->public_pem}, {"names", {"127.0.0.1"}}});
  REQUIRE_MESSAGE(issued.ok(), issued.status().to_string());
  REQUIRE(write_file_atomic(w.t.tmp / "nginx.pem", (*issued)["cert"].get<std::string>(), 0600).ok());
  REQUIRE(write_file_atomic(w.t.tmp / "nginx.key", key->private_pem, 0600).ok());
  std::atomic<int> granted{0}, refused{0};
  ServerOptions so;
  so.port = port;
  so.tls_cert_file = w.t.tmp / "nginx.pem";
  so.tls_key_file = w.t.tmp / "nginx.key";
  HttpServer nginx(so, [&](HttpRequest& req) { return nginx_like(w, req, granted, refused); }, nullptr);
  REQUIRE(nginx.start().ok());

  std::string url;
  for (const auto& u : w.desired["layer_web_seeds"][w.info_hash["app@1"]])
    if (u.get<std::string>().rfind(base, 0) == 0) url = u;
  REQUIRE(!url.empty());
  auto node = w.start_node();
  REQUIRE(node->set_layer_web_seeds({{w.info_hash["app@1"], {url}}}).ok());
  w.add_app_layer(*node);
  REQUIRE_MESSAGE(w.wait_complete(*node), "no download from the external web seed");
  CHECK(granted > 0);
  CHECK(refused == 0);
  // The same server refuses a tampered token: the tracker's check said 403.
  std::string path = WebSeedWorld::path_of(url) + "app-v1/bin/tool";
  const size_t mac_at = path.find(parse_web_seed_path(path)->token.mac_hex);
  path[mac_at] = path[mac_at] == '0' ? '1' : '0';
  CHECK(test::status_of(test::raw_tls_exchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                        "Range: bytes=0-9\r\nConnection: close\r\n\r\n")) == 403);
  CHECK(refused == 1);
  CHECK(w.forbidden() == 1);
}

TEST_CASE("web server certificates are issued to admins only, for host names with a dot or IP addresses") {
  WebSeedWorld w;
  auto key = pki::generate_key();
  REQUIRE(key.ok());
  for (const json& names : {json{"app-v1"}, json{"Cdn.Example"}, json::array(), json{"a..b"}, json{1}}) {
    auto r = w.t.admin.admin_json("POST", "/api/v1/webseed/certs", {{"public_key", key->public_pem}, {"names", names}});
    CHECK_MESSAGE(!r.ok(), names.dump());
  }
  auto ok = w.t.admin.admin_json("POST", "/api/v1/webseed/certs",
                                 {{"public_key", key->public_pem}, {"names", {"cdn.example", "10.0.0.5"}}});
  REQUIRE_MESSAGE(ok.ok(), ok.status().to_string());
  auto info = pki::inspect((*ok)["cert"].get<std::string>());
  REQUIRE(info.ok());
  CHECK(info->dns_names == std::vector<std::string>{"cdn.example"});
  CHECK(info->ip_addresses == std::vector<std::string>{"10.0.0.5"});
  auto by_node = w.node.node_call("POST", "/api/v1/webseed/certs",
                                  json{{"public_key", key->public_pem}, {"names", {"cdn.example"}}}.dump());
  REQUIRE(by_node.ok());
  CHECK(by_node->status == 401);  // an admin route: a node's signature is no admin token
}

TEST_CASE("libtorrent refuses an HTTPS web seed of an SSL torrent with another CA's certificate, or one not naming its host") {
  namespace lt = libtorrent;
  const uint16_t port = test::free_tcp_port();
  const std::string base = "https://127.0.0.1:" + std::to_string(port) + "/origin";
  WebSeedWorld w(base);
  const int64_t now = w.t.clock.unix_s();
  // 1. Naming the right host, from another CA (a public CA's would do the same).
  auto ca_key = pki::generate_key(), key = pki::generate_key();
  REQUIRE((ca_key.ok() && key.ok()));
  auto ca = pki::self_signed_ca(ca_key->private_pem, {"another CA", {}, {}, now - 3600, now + 86400, true});
  REQUIRE(ca.ok());
  auto foreign = pki::issue(*ca, ca_key->private_pem, key->public_pem,
                            {"web seed", {"localhost"}, {"127.0.0.1"}, now - 3600, now + 86400, false});
  REQUIRE(foreign.ok());
  // 2. From the tracker's CA, naming another host.
  auto elsewhere = w.t.admin.admin_json("POST", "/api/v1/webseed/certs",
                                        {{"public_key", key->public_pem}, {"names", {"cdn.example"}}});
  REQUIRE(elsewhere.ok());
  std::string url;
  for (const auto& u : w.desired["layer_web_seeds"][w.info_hash["app@1"]])
    if (u.get<std::string>().rfind(base, 0) == 0) url = u;
  REQUIRE(!url.empty());
  const std::string torrent = w.torrent_of("app@1");
  auto [node_cert, node_key] = w.node_cert();
  int round = 0;
  for (const std::string& server_cert : {*foreign, (*elsewhere)["cert"].get<std::string>()}) {
    CAPTURE(round);
    REQUIRE(write_file_atomic(w.t.tmp / "other.pem", server_cert, 0600).ok());
    REQUIRE(write_file_atomic(w.t.tmp / "other.key", key->private_pem, 0600).ok());
    std::atomic<int> requests{0};
    ServerOptions so;
    so.port = port;
    so.tls_cert_file = w.t.tmp / "other.pem";
    so.tls_key_file = w.t.tmp / "other.key";
    HttpServer server(so, [&](HttpRequest&) { return ++requests, HttpResponse::error(500, "never reached"); }, nullptr);
    REQUIRE(server.start().ok());
    // A plain libtorrent session holding the node's certificate, the web seed its only source.
    lt::settings_pack sp = test::bare_session_settings("127.0.0.1");
    sp.set_int(lt::settings_pack::alert_mask, int(static_cast<std::uint32_t>(
                                                  lt::alert_category::error | lt::alert_category::peer |
                                                  lt::alert_category::connect)));
    lt::session ses(sp);
    lt::add_torrent_params atp;
    atp.ti = std::make_shared<lt::torrent_info>(lt::span<const char>(torrent.data(), long(torrent.size())),
                                                lt::from_span);
    atp.save_path = w.t.tmp / ("bare" + std::to_string(round++));
    atp.url_seeds = {url};
    atp.flags &= ~(lt::torrent_flags::paused | lt::torrent_flags::auto_managed);
    lt::torrent_handle h = ses.add_torrent(std::move(atp));
    h.set_ssl_certificate_buffer(node_cert, node_key, tls_dh_params_pem());
    // The TLS handshake fails on libtorrent's side: it reports the web seed
    // connection's error (a certificate verify failure) and sends no request.
    std::string why;
    const bool failed = test::eventually(
        [&] {
          std::vector<lt::alert*> alerts;
          ses.wait_for_alert(std::chrono::milliseconds(100));
          ses.pop_alerts(&alerts);
          for (lt::alert* a : alerts)
            if (lt::alert_cast<lt::url_seed_alert>(a) || lt::alert_cast<lt::peer_error_alert>(a) ||
                lt::alert_cast<lt::peer_disconnected_alert>(a)) {
              why = a->message();
              return true;
            }
          return false;
        },
        30'000, 0);
    REQUIRE_MESSAGE(failed, "libtorrent reported nothing about the web seed");
    MESSAGE("libtorrent: " << why);
    CHECK(why.find("certificate verify failed") != std::string::npos);
    CHECK(requests == 0);
    CHECK(h.status().total_payload_download == 0);
  }
}
