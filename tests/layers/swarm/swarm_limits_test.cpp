#include <doctest/doctest.h>

#include <chrono>

#include "layers/swarm/swarm_node.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using test::is;

namespace {

constexpr uint32_t kPiece = 256 * 1024;
constexpr int64_t kWanLimit = 2 << 20;  // 2 MiB/s

// Bytes received by `dl` over `window_ms`, polling all nodes meanwhile.
uint64_t bytes_over(std::vector<SwarmNode*> nodes, SwarmNode* dl, const LayerRef& ref, int window_ms) {
  uint64_t before = dl->layer_status(ref)->downloaded.total();
  std::vector<SwarmEvent> ignored;
  test::poll_until(nodes, dl, &ignored, [](const SwarmEvent&) { return false; }, window_ms);
  return dl->layer_status(ref)->downloaded.total() - before;
}

}  // namespace

TEST_CASE("the WAN class limit holds a WAN download near its rate while a LAN peer is unaffected") {
  test::TmpDir tmp;
  test::write_file(tmp / "src/big.img", test::random_bytes(24u << 20, 5));
  test::write_file(tmp / "src/README", "a second file: single-file layers do not load yet (see report)\n");
  auto layer = test::capture_test_layer(tmp / "src", {"base", 1}, kPiece);
  auto seed = test::start_plain_node(tmp / "seed", "127.0.0.2");
  REQUIRE(seed->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed).ok());

  // The seed is outside this node's LAN: WAN class, limited. Loopback would be
  // in libtorrent's unlimited "local" class if the node did not replace it.
  auto wan = test::start_plain_node(tmp / "wan", "127.0.0.3", [](SwarmNodeOptions& o) { o.lan_subnets = {"10.9.0.0/16"}; });
  wan->set_wan_limits(kWanLimit, 0);
  REQUIRE(wan->add_layer(layer.trusted, layer.torrent, tmp / "wan-payload", LayerMode::download).ok());
  REQUIRE(wan->add_peer(layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  std::vector<SwarmEvent> seen;
  // Warm up: first bytes arrive.
  REQUIRE(test::poll_until({seed.get(), wan.get()}, wan.get(), &seen, [](const SwarmEvent& e) {
    auto* p = std::get_if<LayerProgress>(&e);
    return p && p->downloaded.total() > 0;
  }, 10'000));
  // Past the connection's first burst (~1 s above the limit), then a window
  // long enough that one scheduling stall on a loaded machine does not
  // decide it (3 s windows read 2.9 MiB/s once at load ~10).
  bytes_over({seed.get(), wan.get()}, wan.get(), layer.ref(), 2000);
  const int window_ms = 5000;
  uint64_t got = bytes_over({seed.get(), wan.get()}, wan.get(), layer.ref(), window_ms);
  double rate = double(got) * 1000.0 / window_ms;
  MESSAGE("WAN-limited rate: " << rate / (1 << 20) << " MiB/s (limit 2 MiB/s)");
  // The limit is applied: never much above it. Below it, libtorrent under-
  // delivers at times on this loaded machine (1.2-1.3 MiB/s seen over 5 s
  // windows, TCP and uTP; docs/architecture.md), so the lower bound only
  // says the transfer is not stalled.
  CHECK(rate < 1.25 * double(kWanLimit));
  CHECK(rate > 0.5 * double(kWanLimit));
  auto st = wan->layer_status(layer.ref());
  CHECK(st->downloaded.origin_wan == st->downloaded.total());

  // The same limit on a node that has the seed in its LAN: not applied.
  auto lan = test::start_plain_node(tmp / "lan", "127.0.0.4", [](SwarmNodeOptions& o) {
    o.lan_subnets = {"127.0.0.0/24"};
    o.outgoing_utp = false;  // an endpoint whose peers are in its LAN dials TCP
  });
  lan->set_wan_limits(kWanLimit, 0);
  REQUIRE(lan->add_layer(layer.trusted, layer.torrent, tmp / "lan-payload", LayerMode::download).ok());
  REQUIRE(lan->add_peer(layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  auto t0 = std::chrono::steady_clock::now();
  seen.clear();
  REQUIRE(test::poll_until({seed.get(), wan.get(), lan.get()}, lan.get(), &seen, is<LayerComplete>, 10'000));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("LAN download of 24 MiB took " << secs << " s");
  CHECK(secs < 24.0 / 2 / 4);  // at least 4x the WAN limit
  CHECK(lan->layer_status(layer.ref())->downloaded.branch_peer == layer.manifest().total_file_bytes());

  // Lifting the limit applies to the live WAN connection.
  wan->set_wan_limits(0, 0);
  REQUIRE(test::poll_until({seed.get(), wan.get(), lan.get()}, wan.get(), &seen, is<LayerComplete>, 10'000));
}
