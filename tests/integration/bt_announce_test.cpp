// The real bc-tracker as a BitTorrent tracker: two real SwarmNodes find each
// other only through its /announce (over HTTPS, the tracker's default), and
// /scrape counts them.
#include <doctest/doctest.h>

#include "layers/model/layer_dir.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "tests/integration/support/running_tracker.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/bt_query.hpp"
#include "tests/support/metrics_text.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tracker/bt/info_hash.hpp"
#include "tracker/client/tracker_client.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;
using test::body_of;
using test::percent;

namespace {
std::string get(uint16_t port, const std::string& target) {
  return test::raw_tls_exchange(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

// Enrolls an endpoint (source 127.0.0.1, branch hq) and returns its announce key.
std::string enroll_endpoint(test::RunningTracker& t) {
  auto key = SecretKey::generate();
  TrackerClient node(t.client_options(), &key, "", t.clock);
  t.enroll_endpoint(node);
  auto desired = node.poll_desired("");
  REQUIRE(desired.ok());
  std::string k = desired->state.value("announce_key", "");
  REQUIRE(k.size() == 32);
  CHECK(desired->state.value("announce_path", "") == "/announce?bckey=" + k);
  return k;
}
}  // namespace

TEST_CASE("two SwarmNodes complete a layer with peers learned only from bc-tracker announces") {
  // The announce path, not TLS: the nodes seed the layer as captured (a plain
  // torrent), so the tracker publishes it plain (SSL swarms:
  // tracker_origin_test, tests/layers/swarm/swarm_ssl_test.cpp).
  test::RunningTracker t("\n[pki]\ninsecure_plain_torrents = true\n");
  test::TmpDir& tmp = t.tmp;
  TrackerClient& admin = t.admin;
  const uint16_t port = t.port;

  test::write_file(tmp / "src/etc/motd", "hello\n");
  test::write_file(tmp / "src/var/big.img", test::random_bytes(2u << 20, 7));
  auto layer = test::capture_test_layer(tmp / "src", {"base", 1}, 64 * 1024);
  REQUIRE(write_layer_dir(tmp / "layer", layer.manifest().encode(), layer.torrent, layer.source_dir).ok());
  auto imported = admin.admin_json("POST", "/api/v1/layers/import", {{"dir", tmp / "layer"}});
  REQUIRE_MESSAGE(imported.ok(), imported.status().to_string());
  REQUIRE(admin.admin_json("PUT", "/api/v1/branches/hq", {{"subnets", {"127.0.0.0/8"}}}).ok());
  REQUIRE(admin.admin_json("PUT", "/api/v1/assignments/branch/hq", {{"stack", {"base@1"}}}).ok());
  std::string seed_key = enroll_endpoint(t);
  std::string dl_key = enroll_endpoint(t);

  std::string announce_url = t.proc.url() + "/announce";
  REQUIRE(announce_url.rfind("https://", 0) == 0);
  auto with_tracker = [&](const std::string& key) {
    return [&, key](SwarmNodeOptions& o) {
      o.tracker_url = announce_url;
      o.tracker_key_param = "bckey";
      o.tracker_key = key;
      o.lan_subnets = {"127.0.0.0/24"};
      o.insecure_plain_peers = true;
    };
  };
  auto seed = test::start_node(tmp / "seed", "127.0.0.2", with_tracker(seed_key));
  REQUIRE(seed->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed).ok());
  auto dl = test::start_node(tmp / "dl", "127.0.0.3", with_tracker(dl_key));
  REQUIRE(dl->add_layer(layer.trusted, layer.torrent, tmp / "dl-payload", LayerMode::download).ok());

  // No add_peer: the downloader's only source of peers is the tracker.
  std::vector<SwarmEvent> seen;
  const std::string why = "download did not complete within 60 s; tracker log: " + t.proc.log_path();
  REQUIRE_MESSAGE(test::poll_until({seed.get(), dl.get()}, dl.get(), &seen, test::is<LayerComplete>, 60'000), why);
  auto st = dl->layer_status(layer.ref());
  REQUIRE(st.ok());
  CHECK(st->complete);

  auto hash = bt::InfoHash::from_v2_hex((*imported)["info_hash"].get<std::string>());
  REQUIRE(hash);
  // Scrape: both nodes are in the swarm (the downloader has become a seed;
  // its completed announce may still be on its way, so poll briefly).
  std::string scrape;
  test::eventually(
      [&] {
        scrape = body_of(get(port, "/scrape?bckey=" + seed_key + "&info_hash=" + percent(hash->raw())));
        return scrape.find("8:completei2e") != std::string::npos;
      },
      10'000, 100);
  CHECK_MESSAGE(scrape.find("8:completei2e") != std::string::npos, scrape);
  CHECK(scrape.find("5:files") != std::string::npos);

  // An unknown key is refused with a failure reason (HTTP 200, BEP 3).
  std::string raw = get(port, test::announce_target("0123456789abcdef0123456789abcdef", hash->raw(), 0, 'x') + "&compact=1");
  CHECK(test::status_of(raw) == 200);
  CHECK(raw.find("text/plain") != std::string::npos);
  CHECK_MESSAGE(body_of(raw).find("14:failure reason") != std::string::npos, raw);
  CHECK(body_of(raw).find("unknown") != std::string::npos);

  // A layer not assigned to the node: a known key announcing an unpublished hash is refused too.
  std::string other = get(port, test::announce_target(seed_key, std::string(20, 'z'), 0, 'x'));
  CHECK_MESSAGE(body_of(other).find("14:failure reason") != std::string::npos, other);

  // Metrics count announces from branch hq.
  auto metrics = body_of(get(port, "/metrics"));
  CHECK_MESSAGE(test::metric_sum(metrics, "bc_tracker_announces_total", "branch=\"hq\"").value_or(0) > 0, metrics);
}
