// SwarmNode::wan_bytes counts exactly the payload moved with WAN-class peers
// (what the WAN governor's tick needs), survives layer removal and leaves LAN
// traffic out.
#include <doctest/doctest.h>

#include "layers/swarm/swarm_node.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using test::is;

TEST_CASE("wan_bytes counts WAN payload down and up exactly, keeps removed layers and excludes LAN peers") {
  test::TmpDir tmp;
  test::write_file(tmp / "src/disk.img", test::random_bytes(3u << 20, 11));
  test::write_file(tmp / "src/README", "second file\n");
  auto layer = test::capture_test_layer(tmp / "src", {"base", 1}, 256 * 1024);
  const uint64_t total = layer.manifest().total_file_bytes();
  // The seed sees its peers as WAN (no LAN subnets); `wan` sees the seed as WAN.
  auto seed = test::start_plain_node(tmp / "seed", "127.0.0.2");
  REQUIRE(seed->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed).ok());
  auto wan = test::start_plain_node(tmp / "wan", "127.0.0.3", [](SwarmNodeOptions& o) { o.lan_subnets = {"10.9.0.0/16"}; });
  REQUIRE(wan->add_layer(layer.trusted, layer.torrent, tmp / "wan-payload", LayerMode::download).ok());
  REQUIRE(wan->add_peer(layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE(test::poll_until({seed.get(), wan.get()}, wan.get(), &seen, is<LayerComplete>, 20'000));
  MESSAGE("payload " << total << " B; wan down " << wan->wan_bytes().down << " B; seed up " << seed->wan_bytes().up);
  CHECK(wan->wan_bytes().down == total);
  CHECK(wan->wan_bytes().up == 0);
  // The seed may send a block twice (end game) but never less than the payload.
  CHECK(seed->wan_bytes().up >= total);
  CHECK(seed->wan_bytes().up <= total + total / 20);
  REQUIRE(wan->remove_layer(layer.ref()).ok());
  CHECK(wan->wan_bytes().down == total);

  // A node that has the seed in its LAN moves no WAN bytes.
  auto lan = test::start_plain_node(tmp / "lan", "127.0.0.4", [](SwarmNodeOptions& o) {
    o.lan_subnets = {"127.0.0.0/24"};
    o.outgoing_utp = false;
  });
  REQUIRE(lan->add_layer(layer.trusted, layer.torrent, tmp / "lan-payload", LayerMode::download).ok());
  REQUIRE(lan->add_peer(layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  seen.clear();
  REQUIRE(test::poll_until({seed.get(), lan.get()}, lan.get(), &seen, is<LayerComplete>, 20'000));
  CHECK(lan->wan_bytes().down == 0);
}
