// External HTTPS web seeds of SSL torrents with the real bc-tracker and
// real libtorrent sessions: a web server with a certificate from the
// tracker's CA, checking tokens through auth_request, serves a node; another
// CA's certificate, or one not naming the URL's host, is refused by
// libtorrent (docs/security.md, "SSL torrents and HTTPS web seeds").
#include <doctest/doctest.h>

#include <libtorrent/alert_types.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/torrent_info.hpp>

#include "layers/swarm/node_cert.hpp"
#include "tests/e2e/bare_session.hpp"
#include "tests/integration/support/web_seed_world.hpp"
#include "tracker/http/http_server.hpp"
#include "tracker/webseed/byte_range.hpp"

using namespace bc;
using namespace bc::test;
using namespace bc::tracker;
using nlohmann::json;

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
