// Certificates that change while peers transfer: revocation drops a peer
// within a tick, an expiring certificate is dropped when it expires, and a
// renewed certificate neither interrupts a download nor loses a piece.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "layers/capture/verify.hpp"
#include "tests/layers/swarm/swarm_ssl_util.hpp"

using namespace bc;

namespace {

constexpr size_t kLayerBytes = 8u << 20;
constexpr int64_t kSeedRate = 2 << 20;  // bytes/s: slow enough to act mid-transfer

std::string upper(std::string s) {
  for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void revoked_mid_transfer(bool utp) {
  test::TmpDir tmp;
  test::SslSwarm w(tmp, kLayerBytes);
  auto seed = w.seed(tmp / "seed", "127.0.0.2");
  seed->set_wan_limits(0, kSeedRate);
  const test::TestCert cert = w.ca.issue({"base-v1"});
  auto dl = test::start_ssl_node(tmp / "dl", "127.0.0.3", cert, test::transport(utp));
  const LayerRef ref = w.layer.ref();
  REQUIRE(dl->add_layer(w.layer.trusted, w.layer.torrent, tmp / "dl-payload", LayerMode::download).ok());
  REQUIRE(dl->add_peer(ref, "127.0.0.2", seed->listen_port()).ok());
  std::vector<std::vector<SwarmEvent>> seen;
  std::vector<SwarmNode*> nodes{seed.get(), dl.get()};
  REQUIRE_MESSAGE(test::run_until(nodes, &seen, [&] { return test::received(*dl, ref) >= (1u << 20); }, 20'000),
                  "no MiB arrived within 20 s");

  // Upper case: serials compare whatever their case.
  const auto t0 = std::chrono::steady_clock::now();
  seed->set_revoked_serials({upper(cert.serial_hex)});
  REQUIRE_MESSAGE(test::run_until(nodes, &seen, [&] { return test::refusals(seen[0], "revoked") >= 1; }, 5000),
                  "the seed did not drop the revoked peer within 5 s");
  const auto drop_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("revoked peer dropped after " << drop_ms << " ms");
  CHECK(drop_ms <= 2000);
  const PeerRefused* r = test::last_of<PeerRefused>(seen[0]);
  REQUIRE(r);
  CHECK(r->serial_hex == cert.serial_hex);
  CHECK(r->message.find("certificate serial " + cert.serial_hex + " is revoked") != std::string::npos);

  // Once the downloader sees the connection gone, nothing more arrives: it
  // dials again and is refused at the handshake, while an entitled node
  // fetches the whole layer from the same seed.
  REQUIRE(test::run_until(nodes, &seen, [&] { return dl->layer_status(ref)->peers == 0; }, 5000));
  const uint64_t got = test::received(*dl, ref);
  REQUIRE(dl->add_peer(ref, "127.0.0.2", seed->listen_port()).ok());
  auto good = test::start_ssl_node(tmp / "good", "127.0.0.4", w.ca.issue({"base-v1"}), test::transport(utp));
  REQUIRE(good->add_layer(w.layer.trusted, w.layer.torrent, tmp / "good-payload", LayerMode::download).ok());
  REQUIRE(good->add_peer(ref, "127.0.0.2", seed->listen_port()).ok());
  seed->set_wan_limits(0, 0);
  nodes.push_back(good.get());
  REQUIRE(test::run_until(nodes, &seen, [&] {
    return good->layer_status(ref)->complete && test::refusals(seen[0], "revoked") >= 2;
  }, 20'000));
  CHECK(test::received(*dl, ref) == got);
  CHECK_FALSE(dl->layer_status(ref)->complete);
  CHECK(seed->cert_refusals().revoked >= 2);
}

void renewed_mid_download(bool utp) {
  test::TmpDir tmp;
  test::SslSwarm w(tmp, kLayerBytes);
  auto seed = w.seed(tmp / "seed", "127.0.0.2");
  seed->set_wan_limits(0, kSeedRate);
  const test::TestCert first = w.ca.issue({"base-v1"});
  auto dl = test::start_ssl_node(tmp / "dl", "127.0.0.3", first, test::transport(utp));
  const LayerRef ref = w.layer.ref();
  REQUIRE(dl->add_layer(w.layer.trusted, w.layer.torrent, tmp / "dl-payload", LayerMode::download).ok());
  REQUIRE(dl->add_peer(ref, "127.0.0.2", seed->listen_port()).ok());
  std::vector<std::vector<SwarmEvent>> seen;
  std::vector<SwarmNode*> nodes{seed.get(), dl.get()};
  auto done = [&] { return dl->layer_status(ref)->done_bytes; };
  REQUIRE(test::run_until(nodes, &seen, [&] { return done() >= kLayerBytes / 4; }, 20'000));

  // Renewal: the same names, a new key and serial.
  const test::TestCert second = w.ca.issue({"base-v1"});
  REQUIRE(dl->set_certificate(second.cert_pem, second.key_pem).ok());
  const uint64_t at_renewal = done();
  REQUIRE_MESSAGE(test::run_until(nodes, &seen, [&] { return done() >= at_renewal + kLayerBytes / 4; }, 20'000),
                  "the download stalled after the renewal");
  CHECK(dl->layer_status(ref)->peers == 1);

  // The connection that carried it still presents the first certificate:
  // revoking that serial drops it, so it was never interrupted or redone.
  seed->set_revoked_serials({first.serial_hex});
  REQUIRE(test::run_until(nodes, &seen, [&] { return test::refusals(seen[0], "revoked") == 1; }, 5000));
  REQUIRE(test::run_until(nodes, &seen, [&] { return dl->layer_status(ref)->peers == 0; }, 5000));
  // A new connection presents the renewed certificate and finishes the layer.
  seed->set_wan_limits(0, 0);
  REQUIRE(dl->add_peer(ref, "127.0.0.2", seed->listen_port()).ok());
  REQUIRE_MESSAGE(test::run_until(nodes, &seen, [&] { return dl->layer_status(ref)->complete; }, 20'000),
                  "the renewed certificate did not finish the layer");
  CHECK(test::refusals(seen[0], "revoked") == 1);
  // No verified piece was lost: verified bytes only grew, and all verify.
  uint64_t last = 0;
  bool monotonic = true;
  for (const auto& e : seen[1])
    if (auto* p = std::get_if<LayerProgress>(&e)) {
      monotonic = monotonic && p->done_bytes >= last;
      last = p->done_bytes;
    }
  CHECK(monotonic);
  CHECK(test::count_of<HashFailed>(seen[1]) == 0);
  VerifyOptions vo;
  vo.check_modes = false;
  CHECK(verify_payload(w.layer.trusted, w.layer.torrent, tmp / "dl-payload", vo).ok());
}

}  // namespace

TEST_CASE("a peer whose certificate is revoked mid-transfer is dropped within 2 s and gets nothing more") {
  SUBCASE("TCP") { revoked_mid_transfer(false); }
  SUBCASE("uTP") { revoked_mid_transfer(true); }
}

TEST_CASE("renewing the downloader's certificate mid-download neither interrupts it nor loses a verified piece") {
  SUBCASE("TCP") { renewed_mid_download(false); }
  SUBCASE("uTP") { renewed_mid_download(true); }
}

TEST_CASE("a certificate that expires while connected is dropped at its expiry") {
  test::TmpDir tmp;
  test::SslSwarm w(tmp, kLayerBytes);
  auto seed = w.seed(tmp / "seed", "127.0.0.2");
  seed->set_wan_limits(0, 512 << 10);  // 16 s for the layer: it expires long before
  const test::TestCert cert = w.ca.issue({"base-v1"}, 4);
  auto dl = test::start_ssl_node(tmp / "dl", "127.0.0.3", cert, test::transport(false));
  const LayerRef ref = w.layer.ref();
  REQUIRE(dl->add_layer(w.layer.trusted, w.layer.torrent, tmp / "dl-payload", LayerMode::download).ok());
  REQUIRE(dl->add_peer(ref, "127.0.0.2", seed->listen_port()).ok());
  std::vector<std::vector<SwarmEvent>> seen;
  std::vector<SwarmNode*> nodes{seed.get(), dl.get()};
  REQUIRE_MESSAGE(test::run_until(nodes, &seen, [&] { return test::refusals(seen[0], "expired") >= 1; }, 15'000),
                  "the seed did not drop the expired certificate within 15 s");
  const int64_t late_s = int64_t(std::time(nullptr)) - cert.not_after_unix;
  MESSAGE("dropped " << late_s << " s after not_after");
  CHECK(late_s <= 2);
  CHECK(test::received(*dl, ref) > 0);  // it was a live transfer
  CHECK_FALSE(dl->layer_status(ref)->complete);
  // And a renewal with an expired certificate is refused before libtorrent sees it.
  const test::TestCert stale = w.ca.issue({"base-v1"}, -60);
  Status s = dl->set_certificate(stale.cert_pem, stale.key_pem);
  CHECK(s.code() == Status::Code::invalid_argument);
  CHECK(s.message().find("expired") != std::string::npos);
  CHECK(s.message().find("PRIVATE") == std::string::npos);
}
