// SSL torrents between real swarm nodes on loopback: who gets payload and who
// gets none (layers/swarm/cert_guard.hpp, docs/security.md "Data plane").
#include <doctest/doctest.h>

#include "layers/capture/verify.hpp"
#include "tests/layers/swarm/swarm_ssl_util.hpp"

using namespace bc;
using test::is;

namespace {

void entitled_downloads(bool utp) {
  test::TmpDir tmp;
  test::SslSwarm w(tmp, 4u << 20);
  auto seed = w.seed(tmp / "seed", "127.0.0.2");
  auto dl = test::start_ssl_node(tmp / "dl", "127.0.0.3", w.ca.issue({"base-v1"}), test::transport(utp));
  REQUIRE(dl->add_layer(w.layer.trusted, w.layer.torrent, tmp / "dl-payload", LayerMode::download).ok());
  REQUIRE(dl->add_peer(w.layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE_MESSAGE(test::poll_until({seed.get(), dl.get()}, dl.get(), &seen, is<LayerComplete>, 20'000),
                  "download over TLS did not complete within 20 s");
  VerifyOptions vo;
  vo.check_modes = false;
  CHECK(verify_payload(w.layer.trusted, w.layer.torrent, tmp / "dl-payload", vo).ok());
  CHECK(seed->cert_refusals().wrong_name + seed->cert_refusals().revoked + seed->cert_refusals().expired == 0);
  CHECK(dl->certificate_covers(w.layer.ref()));
  CHECK_FALSE(dl->certificate_covers({"base", 12}));
}

void strangers_get_nothing(bool utp) {
  test::TmpDir tmp;
  test::SslSwarm w(tmp, 4u << 20);
  auto seed = w.seed(tmp / "seed", "127.0.0.2");
  test::TestCa other("another CA");
  auto no_cert = test::start_node(tmp / "s1", "127.0.0.3", test::transport(utp));
  auto other_ca = test::start_ssl_node(tmp / "s2", "127.0.0.4", other.issue({"*"}), test::transport(utp));
  auto other_layer = test::start_ssl_node(tmp / "s3", "127.0.0.5", w.ca.issue({"base-v2", "app-v1"}), test::transport(utp));
  // Long enough to be accepted at start on a loaded machine (set_certificate
  // refuses an expired one: 2 s failed once under load), then waited out.
  const test::TestCert short_lived = w.ca.issue({"base-v1"}, 6);
  auto expiring = test::start_ssl_node(tmp / "s4", "127.0.0.6", short_lived, test::transport(utp));
  REQUIRE(test::wait_past(short_lived.not_after_unix));
  std::vector<SwarmNode*> strangers{no_cert.get(), other_ca.get(), other_layer.get(), expiring.get()};
  int k = 0;
  for (SwarmNode* s : strangers) {
    REQUIRE(s->add_layer(w.layer.trusted, w.layer.torrent, tmp / ("sp" + std::to_string(k++)), LayerMode::download).ok());
    REQUIRE(s->add_peer(w.layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  }
  // The clock of this test: an entitled node dialled after them downloads
  // everything while they keep trying.
  auto good = test::start_ssl_node(tmp / "good", "127.0.0.7", w.ca.issue({"base-v1"}), test::transport(utp));
  REQUIRE(good->add_layer(w.layer.trusted, w.layer.torrent, tmp / "good-payload", LayerMode::download).ok());
  REQUIRE(good->add_peer(w.layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  std::vector<SwarmNode*> all{seed.get(), good.get()};
  all.insert(all.end(), strangers.begin(), strangers.end());
  std::vector<SwarmEvent> seen;
  REQUIRE(test::poll_until(all, good.get(), &seen, is<LayerComplete>, 20'000));
  for (SwarmNode* s : strangers) {
    auto st = s->layer_status(w.layer.ref());
    REQUIRE(st.ok());
    CHECK(st->downloaded.total() == 0);
    CHECK(st->done_bytes == 0);
  }
  auto st = seed->layer_status(w.layer.ref());
  REQUIRE(st.ok());
  CHECK(st->wire_uploaded_bytes >= w.layer.manifest().total_file_bytes());
  CHECK(st->wire_uploaded_bytes < w.layer.manifest().total_file_bytes() + (1u << 20));  // to `good` only
}

void prefix_name_is_refused() {
  // libtorrent 2.0.8 alone would accept a "base-v1" certificate for
  // "base-v12" (it compares the certificate name's length only).
  test::TmpDir tmp;
  test::SslSwarm w(tmp, 1u << 20, {"base", 12});
  auto seed = w.seed(tmp / "seed", "127.0.0.2");
  const test::TestCert near = w.ca.issue({"base-v1"});
  auto dl = test::start_ssl_node(tmp / "dl", "127.0.0.3", near, test::transport(false));
  REQUIRE(dl->add_layer(w.layer.trusted, w.layer.torrent, tmp / "dl-payload", LayerMode::download).ok());
  REQUIRE(dl->add_peer(w.layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE_MESSAGE(test::poll_until({seed.get(), dl.get()}, seed.get(), &seen, is<PeerRefused>, 10'000),
                  "the seed did not refuse the prefix-named certificate within 10 s");
  const auto& r = std::get<PeerRefused>(seen.back());
  CHECK(r.layer == w.layer.ref());
  CHECK(r.reason == "wrong_name");
  CHECK(r.serial_hex == near.serial_hex);
  CHECK(r.peer.rfind("127.0.0.3:", 0) == 0);
  CHECK(r.message.find("does not name base-v12") != std::string::npos);
  CHECK(seed->cert_refusals().wrong_name >= 1);
  auto st = dl->layer_status(w.layer.ref());
  REQUIRE(st.ok());
  CHECK(st->downloaded.total() == 0);
}

}  // namespace

TEST_CASE("a single-file layer downloads over TLS when the certificate carries ssl_torrent_cert_names") {
  // libtorrent matches such a torrent's certificates against the file's
  // name, the guard against the layer's: the certificate needs both.
  test::TmpDir tmp;
  test::TestCa ca;
  test::write_file(tmp / "src/only.bin", test::random_bytes(1u << 20, 5));
  auto layer = test::make_ssl_layer(test::capture_test_layer(tmp / "src", {"tool", 3}, 256 * 1024,
                                                             SecretKey::generate(), false),
                                    ca.cert_pem());
  REQUIRE(layer.facts.single_file);
  auto seed = test::start_ssl_node(tmp / "seed", "127.0.0.2", ca.issue({"*"}));
  REQUIRE(seed->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed).ok());
  auto dl = test::start_ssl_node(tmp / "dl", "127.0.0.3", ca.issue(ssl_torrent_cert_names(layer.facts)));
  REQUIRE(dl->add_layer(layer.trusted, layer.torrent, tmp / "dl-payload", LayerMode::download).ok());
  REQUIRE(dl->add_peer(layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE_MESSAGE(test::poll_until({seed.get(), dl.get()}, dl.get(), &seen, is<LayerComplete>, 20'000),
                  "a single-file SSL layer did not download within 20 s");
  CHECK(test::read_file(tmp / "dl-payload/only.bin") == test::read_file(tmp / "src/only.bin"));
}

TEST_CASE("a certificate naming a longer torrent name's prefix (base-v1 for base-v12) is refused by the guard") {
  prefix_name_is_refused();
}

TEST_CASE("a node with a certificate from the torrent's CA naming the layer downloads it over TLS") {
  SUBCASE("TCP") { entitled_downloads(false); }
  SUBCASE("uTP") { entitled_downloads(true); }
}

TEST_CASE("strangers get 0 payload bytes: no certificate, another CA's, another layer's, an expired one") {
  SUBCASE("TCP") { strangers_get_nothing(false); }
  SUBCASE("uTP") { strangers_get_nothing(true); }
}
