#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include "layers/capture/verify.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using test::is;

namespace {

constexpr uint32_t kPiece = 256 * 1024;

test::TestLayer make_layer(const test::TmpDir& tmp, size_t big_bytes) {
  test::write_file(tmp / "src/etc/motd", "hello\n");
  test::write_file(tmp / "src/bin/tool", test::random_bytes(300'000, 1));
  test::write_file(tmp / "src/var/big.img", test::random_bytes(big_bytes, 2));
  return test::capture_test_layer(tmp / "src", {"base", 1}, kPiece);
}

bool verifies(const test::TestLayer& l, const std::string& payload) {
  VerifyOptions vo;
  vo.check_modes = false;
  Status s = verify_payload(l.trusted, l.torrent, payload, vo);
  if (!s.ok()) MESSAGE(s.to_string());
  return s.ok();
}

}  // namespace

TEST_CASE("a downloader fetches a layer from a seed, verifies it, and counts bytes by source") {
  // Over TLS, as in production: an SSL torrent, each node with a certificate
  // from the torrent's CA.
  test::TmpDir tmp;
  test::TestCa ca;
  auto layer = test::make_ssl_layer(make_layer(tmp, 8u << 20), ca.cert_pem());
  const uint64_t total = layer.manifest().total_file_bytes();
  auto seed = test::start_ssl_node(tmp / "seed", "127.0.0.2", ca.issue({"*"}));
  REQUIRE(seed->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed).ok());
  // The seed is this branch's reflector.
  auto dl = test::start_ssl_node(tmp / "dl", "127.0.0.3", ca.issue({"base-v1"}), [](SwarmNodeOptions& o) {
    o.lan_subnets = {"127.0.0.0/24"};
    o.reflector_ips = {"127.0.0.2"};
  });
  REQUIRE(dl->add_layer(layer.trusted, layer.torrent, tmp / "dl-payload", LayerMode::download).ok());
  REQUIRE(dl->add_peer(layer.ref(), "127.0.0.2", seed->listen_port()).ok());

  std::vector<SwarmEvent> seen;
  REQUIRE_MESSAGE(test::poll_until({seed.get(), dl.get()}, dl.get(), &seen, is<LayerComplete>, 20'000),
                  "download did not complete within 20 s");
  CHECK(test::count_of<LayerChecked>(seen) == 1);
  CHECK(test::count_of<LayerProgress>(seen) >= 1);
  const auto& done = std::get<LayerComplete>(seen.back());
  CHECK(done.layer == layer.ref());
  CHECK(done.downloaded.reflector == total);
  CHECK(done.downloaded.branch_peer == 0);
  CHECK(done.downloaded.origin_wan == 0);
  CHECK(verifies(layer, tmp / "dl-payload"));

  // A second endpoint in the branch fetches from the first: a branch peer.
  auto dl2 = test::start_ssl_node(tmp / "dl2", "127.0.0.4", ca.issue({"base-v1"}), [](SwarmNodeOptions& o) {
    o.lan_subnets = {"127.0.0.0/24"};
    o.reflector_ips = {"127.0.0.2"};
  });
  REQUIRE(dl2->add_layer(layer.trusted, layer.torrent, tmp / "dl2-payload", LayerMode::download).ok());
  REQUIRE(dl2->add_peer(layer.ref(), "127.0.0.3", dl->listen_port()).ok());
  seen.clear();
  REQUIRE(test::poll_until({seed.get(), dl.get(), dl2.get()}, dl2.get(), &seen, is<LayerComplete>, 20'000));
  auto st = dl2->layer_status(layer.ref());
  REQUIRE(st.ok());
  CHECK(st->complete);
  CHECK(st->downloaded.branch_peer == total);
  CHECK(st->downloaded.reflector == 0);
  CHECK(verifies(layer, tmp / "dl2-payload"));
}

TEST_CASE("add_layer refuses a torrent that does not match the manifest and a layer added twice") {
  test::TmpDir tmp;
  auto layer = make_layer(tmp, 1u << 20);
  test::write_file(tmp / "other/x", "other");
  test::write_file(tmp / "other/y", "other too");
  auto other = test::capture_test_layer(tmp / "other", {"base", 1}, kPiece);
  auto node = test::start_plain_node(tmp / "n", "127.0.0.2");
  Status s = node->add_layer(layer.trusted, other.torrent, tmp / "p", LayerMode::download);
  CHECK(s.code() == Status::Code::corruption);
  CHECK(node->add_layer(layer.trusted, "garbage", tmp / "p", LayerMode::download).code() ==
        Status::Code::corruption);
  REQUIRE(node->add_layer(layer.trusted, layer.torrent, tmp / "p", LayerMode::download).ok());
  CHECK(node->add_layer(layer.trusted, layer.torrent, tmp / "p", LayerMode::download).code() ==
        Status::Code::already_exists);
  CHECK(node->add_peer({"nope", 1}, "127.0.0.3", 1).code() == Status::Code::not_found);
  CHECK(node->add_peer(layer.ref(), "not-an-ip", 1).code() == Status::Code::invalid_argument);
  CHECK(node->remove_layer(layer.ref()).ok());
  CHECK(node->layers().empty());
}

TEST_CASE("swarm node options are validated with a precise reason") {
  SwarmNodeOptions o;
  CHECK(o.validate().message().find("data_dir") != std::string::npos);
  o.data_dir = "/tmp/x";
  CHECK(o.validate().ok());
  o.lan_subnets = {"10.0.0.0/33"};
  CHECK(o.validate().message().find("prefix") != std::string::npos);
  o.lan_subnets = {"10.0.0.0/8"};
  o.tracker_key = "a&b";
  CHECK_FALSE(o.validate().ok());
  o.tracker_key = "k";
  o.enable_tcp = o.enable_utp = false;
  CHECK_FALSE(o.validate().ok());
}

TEST_CASE("a secure node refuses a plain torrent, an insecure node an SSL torrent, each with the reason") {
  test::TmpDir tmp;
  auto plain = make_layer(tmp, 1u << 20);
  test::TestCa ca;
  auto ssl = test::make_ssl_layer(plain, ca.cert_pem());
  auto secure = test::start_node(tmp / "s", "127.0.0.2");
  Status s = secure->add_layer(plain.trusted, plain.torrent, tmp / "p1", LayerMode::download);
  CHECK(s.code() == Status::Code::invalid_argument);
  CHECK(s.message().find("not an SSL torrent") != std::string::npos);
  CHECK(secure->add_layer(ssl.trusted, ssl.torrent, tmp / "p2", LayerMode::download).ok());
  auto insecure = test::start_plain_node(tmp / "i", "127.0.0.3");
  s = insecure->add_layer(ssl.trusted, ssl.torrent, tmp / "p3", LayerMode::download);
  CHECK(s.code() == Status::Code::invalid_argument);
  CHECK(s.message().find("insecure_plain_peers") != std::string::npos);
  CHECK(insecure->set_certificate(ca.issue({"*"}).cert_pem, ca.issue({"*"}).key_pem).code() ==
        Status::Code::unsupported);
  // A certificate with another certificate's key is refused without quoting the key.
  auto a = ca.issue({"base-v1"}), b = ca.issue({"base-v1"});
  s = secure->set_certificate(a.cert_pem, b.key_pem);
  CHECK(s.code() == Status::Code::invalid_argument);
  CHECK(s.message().find("not the key of certificate serial " + a.serial_hex) != std::string::npos);
  CHECK(s.message().find("PRIVATE KEY") == std::string::npos);
  CHECK_FALSE(secure->certificate_covers(plain.ref()));
  REQUIRE(secure->set_certificate(a.cert_pem, a.key_pem).ok());
  CHECK(secure->certificate_covers(plain.ref()));
}

TEST_CASE("an unreachable tracker surfaces as TrackerError whose announce URL carries the per-node key redacted") {
  test::TmpDir tmp;
  auto layer = make_layer(tmp, 1u << 20);
  // Nothing listens on 127.0.0.9:9 on loopback: the announce is refused.
  auto node = test::start_plain_node(tmp / "n", "127.0.0.2", [](SwarmNodeOptions& o) {
    o.tracker_url = "http://127.0.0.9:9/announce";
    o.tracker_key = "node-key-123";
  });
  REQUIRE(node->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE_MESSAGE(test::poll_until({node.get()}, node.get(), &seen, is<TrackerError>, 10'000), "no TrackerError in 10 s");
  const auto& te = std::get<TrackerError>(seen.back());
  CHECK(te.layer == layer.ref());
  // The key went into the URL libtorrent announced to, and never out into the event (it is logged).
  CHECK(te.url == "http://127.0.0.9:9/announce?key=<redacted>");
  CHECK(te.reason.find("node-key-123") == std::string::npos);
  CHECK_FALSE(te.reason.empty());
}

TEST_CASE("a seed whose bins live outside its payload directory (a built layer's DIR/pack) serves them") {
  test::TmpDir tmp;
  auto layer = make_layer(tmp, 1u << 20);
  REQUIRE(layer.manifest().bins.size() == 1);
  // As a built layer keeps them: beside the captured tree, not in it.
  std::filesystem::rename(tmp / "src/.bc-pack", tmp / "layer-pack");
  auto seed = test::start_plain_node(tmp / "seed", "127.0.0.2");
  REQUIRE(seed->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed, tmp / "layer-pack").ok());
  auto dl = test::start_plain_node(tmp / "dl", "127.0.0.3");
  REQUIRE(dl->add_layer(layer.trusted, layer.torrent, tmp / "dl-payload", LayerMode::download).ok());
  REQUIRE(dl->add_peer(layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE_MESSAGE(test::poll_until({seed.get(), dl.get()}, dl.get(), &seen, is<LayerComplete>, 20'000),
                  "download did not complete within 20 s");
  CHECK(verifies(layer, tmp / "dl-payload"));
  CHECK(test::read_file(tmp / "dl-payload/.bc-pack/0") == "hello\n");
  CHECK_FALSE(std::filesystem::exists(tmp / "src/.bc-pack"));  // the seed wrote nothing into the tree
}
