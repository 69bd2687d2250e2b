// Bans by the node's injected clock: a ban made after an unclean stop holds
// until ban_ttl_s has passed on a ManualClock, then the peer is let in again,
// with real libtorrent sessions on loopback and no waiting for time to pass.
#include <doctest/doctest.h>

#include <chrono>

#include "layers/swarm/swarm_node.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using test::is;

TEST_CASE("a crash ban expires when the node's ManualClock passes ban_ttl_s, and the peer serves again") {
  test::TmpDir tmp;
  test::write_file(tmp / "src/data.bin", test::random_bytes(1u << 20, 7));
  auto layer = test::capture_test_layer(tmp / "src", {"base", 1}, 256 * 1024);
  auto seed = test::start_plain_node(tmp / "seed", "127.0.0.2");
  REQUIRE(seed->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed).ok());

  // The downloader's previous run was killed right after 127.0.0.2 alone sent
  // a corrupt piece.
  test::write_file(tmp / "dl/running", "1\n");
  test::write_file(tmp / "dl/suspect-peers", "127.0.0.2\n");
  ManualClock clock(5'000'000);
  auto dl = test::start_plain_node(tmp / "dl", "127.0.0.3", [&](SwarmNodeOptions& o) {
    o.clock = &clock;
    o.ban_ttl_s = 3600;
  });
  CHECK(dl->recovered_from_unclean_shutdown());
  CHECK(dl->banned_peers() == std::vector<std::string>{"127.0.0.2"});
  REQUIRE(dl->add_layer(layer.trusted, layer.torrent, tmp / "dl-payload", LayerMode::download).ok());
  REQUIRE(dl->add_peer(layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE(test::poll_until({seed.get(), dl.get()}, dl.get(), &seen, is<PeerBanned>, 10'000));
  // Blocked: a bounded look (the positive case below completes well within it).
  CHECK_FALSE(test::poll_until({seed.get(), dl.get()}, dl.get(), &seen, is<LayerComplete>, 1'500));

  clock.advance_ms(3'599'000);  // one second short of the TTL
  dl->poll_events(0);
  CHECK(dl->banned_peers() == std::vector<std::string>{"127.0.0.2"});

  clock.advance_ms(1'000);
  dl->poll_events(0);
  CHECK(dl->banned_peers().empty());
  REQUIRE(dl->add_peer(layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  REQUIRE_MESSAGE(test::poll_until({seed.get(), dl.get()}, dl.get(), &seen, is<LayerComplete>, 20'000),
                  "the peer was not let in again after its ban expired");
}
