// The real bc-tracker binary with [origin] enabled: an imported layer is
// seeded by the origin seed, and a swarm node downloads it from there.
#include <doctest/doctest.h>

#include "layers/pki/pki.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "tests/integration/support/running_tracker.hpp"
#include "tests/support/metrics_text.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/client/tracker_client.hpp"

using namespace bc;
using namespace bc::tracker;

namespace {
const std::string& kAdmin = test::kAdminToken;

std::string get_blob(HttpClient& http, const std::string& target, std::string* sig, std::string* signer) {
  auto r = http.request("GET", target, "", {{"Authorization", "Bearer " + kAdmin}});
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  if (sig) *sig = r->headers["x-bc-signature"];
  if (signer) *signer = r->headers["x-bc-signer"];
  return r->body;
}
}  // namespace

TEST_CASE("bc-tracker with the origin enabled seeds an imported layer and a node downloads it from the origin") {
  const uint16_t origin_port = test::free_tcp_port();
  test::RunningTracker t("\n[origin]\nenabled = true\nlisten = \"127.0.0.1:" + std::to_string(origin_port) + "\"\n");
  const test::TmpDir& tmp = t.tmp;
  TrackerClient& admin = t.admin;
  std::string layer = test::make_layer_dir(tmp / "build", "app@1",
                                           {{"bin/tool", test::random_bytes(2 << 20, 7)}, {"etc/conf", "k=v\n"}});
  REQUIRE(admin.admin_json("POST", "/api/v1/layers/import", {{"dir", layer}}).ok());

  std::string sig_hex, signer_hex;
  std::string manifest = get_blob(admin.http(), "/api/v1/layers/app@1/manifest", &sig_hex, &signer_hex);
  std::string torrent = get_blob(admin.http(), "/api/v1/layers/app@1/torrent", nullptr, nullptr);
  auto sig = signature_from_hex(sig_hex);
  auto signer = public_key_from_hex(signer_hex);
  REQUIRE((sig.ok() && signer.ok()));
  auto trusted = TrustedManifest::verify(manifest, *sig, *signer);
  REQUIRE(trusted.ok());

  SwarmNodeOptions so;
  so.data_dir = tmp / "node";
  so.listen_interfaces = "127.0.0.1:0";
  so.outgoing_interfaces = "127.0.0.1";
  so.outgoing_utp = false;
  auto node = SwarmNode::start(so);
  REQUIRE(node.ok());
  // The layer is an SSL torrent: the node is an enrolled endpoint entitled
  // to app@1 and presents the certificate the tracker issues it.
  REQUIRE(admin.admin_json("PUT", "/api/v1/branches/hq", {{"subnets", {"127.0.0.0/8"}}}).ok());
  REQUIRE(admin.admin_json("PUT", "/api/v1/assignments/branch/hq", {{"stack", {"app@1"}}}).ok());
  auto node_key = SecretKey::generate();
  TrackerClient node_client(t.client_options(), &node_key, "", t.clock);
  t.enroll_endpoint(node_client);
  auto tls_key = pki::generate_key();
  REQUIRE(tls_key.ok());
  auto cert = expect_json(node_client.node_call("POST", "/api/v1/cert", nlohmann::json{{"public_key", tls_key->public_pem}}.dump()),
                          "certificate");
  REQUIRE_MESSAGE(cert.ok(), cert.status().to_string());
  CHECK((*cert)["names"] == nlohmann::json{"app-v1"});
  REQUIRE((*node)->set_certificate((*cert)["cert"], tls_key->private_pem).ok());
  REQUIRE((*node)->add_layer(*trusted, torrent, tmp / "payload", LayerMode::download).ok());
  REQUIRE((*node)->add_peer(trusted->manifest().ref(), "127.0.0.1", origin_port).ok());
  bool complete = false;
  // poll_events blocks until the node has events (up to 100 ms): this waits on them.
  test::eventually(
      [&] {
        for (const auto& e : (*node)->poll_events(100)) complete = complete || std::holds_alternative<LayerComplete>(e);
        return complete;
      },
      60'000, 0);
  REQUIRE_MESSAGE(complete, "no download from the origin; tracker log: " << t.proc.log_path());

  // The origin's uploads reach /metrics (accounted every 500 ms).
  auto uploaded = [&] {
    auto m = admin.http().request("GET", "/metrics", "", {});
    REQUIRE(m.ok());
    return test::metric_value(m->body, "bc_tracker_origin_upload_bytes_total").value_or(0);
  };
  CHECK(test::eventually(
      [&] {
        if (uploaded() > 0) return true;
        (*node)->poll_events(200);  // the node keeps serving while the tracker accounts
        return false;
      },
      10'000, 0));

  // Retiring runs the origin's remove hook; the tracker then stops cleanly.
  REQUIRE(admin.admin_json("POST", "/api/v1/layers/app@1/retire", nlohmann::json::object()).ok());
  CHECK(t.proc.stop() == 0);
}
