// The world of the web seed integration suites (webseed_test.cpp,
// webseed_tls_test.cpp): the real bc-tracker serving its store at /ws with
// web_seed_token_ttl_s = 600 and one external base, two layers (app@1 for
// branch hq, where the node enrolls from 127.0.0.1; other@1 for branch b),
// one enrolled endpoint and its first desired state.
#pragma once

#include <doctest/doctest.h>

#include "layers/pki/pki.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "layers/util/fs.hpp"
#include "tests/integration/support/running_tracker.hpp"
#include "tests/support/metrics_text.hpp"
#include "tests/support/poll.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/webseed/web_seed_token.hpp"

namespace bc::test {

using nlohmann::json;
using tracker::TrackerClient;
using tracker::WebSeedSecret;
using tracker::kWebSeedSecretBytes;


inline const std::string kBig = test::random_bytes(3 << 20, 11);  // several pieces, several ranges

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
      const std::string dir = test::make_layer_dir(t.tmp.path(), ref, files);
      auto r = t.admin.admin_json("POST", "/api/v1/layers/import", {{"dir", dir}});
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
    const auto token = tracker::make_web_seed_token(secret(), node, expiry, ih);
    return path_of(tracker::web_seed_token_url("https://x/ws", token));
  }
};

}  // namespace bc::test
