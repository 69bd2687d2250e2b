// Round trip of a compressed (schema 3) layer through two real libtorrent
// sessions: capture → seed → download the wire bytes → verify → apply →
// the identical tree. The seed sends compressed bins; the downloader
// decompresses only when it applies.
#include <doctest/doctest.h>

#include <filesystem>

#include "layers/apply/applier.hpp"
#include "layers/capture/verify.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using test::is;

namespace {

std::string text(size_t bytes, int seed) {
  std::string s;
  for (int i = 0; s.size() < bytes; ++i)
    s += "line " + std::to_string(i % 997) + " of " + std::to_string(seed) + ": enable = true\n";
  s.resize(bytes);
  return s;
}

}  // namespace

TEST_CASE("a compressed layer downloads between two real sessions, verifies and applies to the identical tree") {
  test::TmpDir tmp;
  const std::string src = tmp / "src";
  for (int i = 0; i < 50; ++i) test::write_file(src + "/etc/c" + std::to_string(i), text(2000 + 31 * i, i));
  test::write_file(src + "/usr/lib/libbig.so", text(3'200'000, 77));
  test::write_file(src + "/var/disk.img", test::random_bytes(700'000, 5));
  test::write_file(src + "/etc/secret", test::random_bytes(5000, 6));
  auto layer = test::capture_test_layer(src, {"base", 1}, 64 * 1024);
  const Manifest& m = layer.manifest();
  REQUIRE(m.schema == 3);
  REQUIRE(m.find("usr/lib/libbig.so")->chunked());
  uint64_t wire = 0;
  for (const auto& f : m.payload_files()) wire += f.size;
  MESSAGE("content " << m.total_file_bytes() << " B, wire " << wire << " B");
  CHECK(wire < m.total_file_bytes() / 2 + 700'000);

  auto tcp = [](SwarmNodeOptions& o) { o.outgoing_utp = false; };
  auto seed = test::start_plain_node(tmp / "seed", "127.0.0.2", tcp);
  REQUIRE(seed->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed).ok());
  auto dl = test::start_plain_node(tmp / "dl", "127.0.0.3", tcp);
  const std::string payload = tmp / "payload";
  REQUIRE(dl->add_layer(layer.trusted, layer.torrent, payload, LayerMode::download).ok());
  REQUIRE(dl->add_peer(layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE(test::poll_until({seed.get(), dl.get()}, dl.get(), &seen, is<LayerComplete>, 60'000));
  // The downloader holds wire bytes: the chunked file exists only as bins.
  CHECK_FALSE(std::filesystem::exists(payload + "/usr/lib/libbig.so"));
  CHECK(seed->wan_bytes().up < m.total_file_bytes());

  Status v = verify_payload(layer.trusted, layer.torrent, payload);
  REQUIRE_MESSAGE(v.ok(), v.to_string());
  const std::string root = tmp / "target";
  std::filesystem::create_directories(root);
  ApplyOptions ao;
  ao.root = root;
  auto rep = apply_stack(ao, {StackLayer{&layer.trusted, payload, ""}});
  REQUIRE_MESSAGE(rep.ok(), rep.status().to_string());
  for (const Entry& e : m.entries)
    if (e.type == EntryType::file) CHECK_MESSAGE(test::read_file(root + "/" + e.path) == test::read_file(src + "/" + e.path), e.path);
}
