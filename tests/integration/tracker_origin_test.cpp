// The real bc-tracker binary with [origin] enabled: an imported layer is
// seeded by the origin seed, and a swarm node downloads it from there.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "layers/swarm/swarm_node.hpp"
#include "tests/integration/support/tracker_process.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/client/tracker_client.hpp"

using namespace bc;
using namespace bc::tracker;

namespace {
const std::string kAdmin = "integration-admin-token-0123456789";

// A port free on 127.0.0.1 right now (the origin's listen port must be known
// to the test; a tiny race with other processes is accepted).
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

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
  test::TmpDir tmp;
  uint16_t origin_port = free_port();
  test::TrackerProcess tracker({tmp.path(), kAdmin,
                                "\n[origin]\nenabled = true\nlisten = \"127.0.0.1:" + std::to_string(origin_port) +
                                    "\"\n"});
  uint16_t port = tracker.start();
  SystemClock clock;
  HttpClientOptions o;
  o.port = port;
  o.timeout_ms = 20'000;
  TrackerClient admin(o, nullptr, kAdmin, clock);
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
  REQUIRE((*node)->add_layer(*trusted, torrent, tmp / "payload", LayerMode::download).ok());
  REQUIRE((*node)->add_peer(trusted->manifest().ref(), "127.0.0.1", origin_port).ok());
  bool complete = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!complete && std::chrono::steady_clock::now() < deadline)
    for (const auto& e : (*node)->poll_events(100)) complete = complete || std::holds_alternative<LayerComplete>(e);
  REQUIRE_MESSAGE(complete, "no download from the origin; tracker log: " << tracker.log_path());

  // The origin's uploads reach /metrics (accounted every 500 ms).
  bool counted = false;
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!counted && std::chrono::steady_clock::now() < deadline) {
    auto m = admin.http().request("GET", "/metrics", "", {});
    REQUIRE(m.ok());
    counted = m->body.find("bc_tracker_origin_upload_bytes_total 0\n") == std::string::npos &&
              m->body.find("bc_tracker_origin_upload_bytes_total") != std::string::npos;
    if (!counted) (*node)->poll_events(200);
  }
  CHECK(counted);

  // Retiring runs the origin's remove hook; the tracker then stops cleanly.
  REQUIRE(admin.admin_json("POST", "/api/v1/layers/app@1/retire", nlohmann::json::object()).ok());
  CHECK(tracker.stop() == 0);
}
