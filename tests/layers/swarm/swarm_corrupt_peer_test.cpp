#include <doctest/doctest.h>

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/torrent_info.hpp>

#include <algorithm>
#include <filesystem>

#include "layers/capture/verify.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using test::is;
namespace lt = libtorrent;

namespace {

constexpr uint32_t kPiece = 64 * 1024;
constexpr int kBadPiece = 3;

// A bare libtorrent seed that claims every piece without hashing (have_pieces),
// over a payload with one flipped byte: it serves bad data for kBadPiece.
struct LyingSeed {
  std::unique_ptr<lt::session> ses;
  uint16_t port = 0;

  LyingSeed(const test::TestLayer& layer, const std::string& dir) {
    for (const auto& f : layer.manifest().payload_files())  // bins of packed files included
      test::write_file(dir + "/" + layer.facts.top_dir + "/" + f.path, test::read_file(layer.source_dir + "/" + f.path));
    std::string big = dir + "/" + layer.facts.top_dir + "/big.img";
    std::string bytes = test::read_file(big);
    bytes[kBadPiece * kPiece + 1000] ^= 0x01;
    test::write_file(big, bytes);

    lt::settings_pack s;
    s.set_str(lt::settings_pack::listen_interfaces, "127.0.0.4:0");
    s.set_str(lt::settings_pack::outgoing_interfaces, "127.0.0.4");
    s.set_bool(lt::settings_pack::enable_dht, false);
    s.set_bool(lt::settings_pack::enable_lsd, false);
    s.set_bool(lt::settings_pack::enable_upnp, false);
    s.set_bool(lt::settings_pack::enable_natpmp, false);
    s.set_bool(lt::settings_pack::enable_outgoing_utp, false);
    s.set_bool(lt::settings_pack::enable_incoming_utp, false);
    ses = std::make_unique<lt::session>(lt::session_params(std::move(s)));
    lt::add_torrent_params atp;
    atp.ti = std::make_shared<lt::torrent_info>(lt::span<const char>(layer.torrent.data(), long(layer.torrent.size())),
                                                lt::from_span);
    atp.save_path = dir;
    atp.have_pieces.resize(atp.ti->num_pieces(), true);
    atp.flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused);
    lt::torrent_handle h = ses->add_torrent(std::move(atp));
    // Until its resume check is done it refuses peers, who then back off for seconds.
    for (int i = 0; i < 100 && (ses->listen_port() == 0 || !h.status().is_seeding); ++i) {
      ses->wait_for_alert(lt::milliseconds(50));
      std::vector<lt::alert*> drop;
      ses->pop_alerts(&drop);
    }
    port = ses->listen_port();
  }
};

}  // namespace

TEST_CASE("a peer sending a corrupt piece causes HashFailed naming it, gets banned, and the piece comes from a good seed") {
  test::TmpDir tmp;
  test::write_file(tmp / "src/big.img", test::random_bytes(16 * kPiece, 9));
  test::write_file(tmp / "src/small.txt", "small\n");
  auto layer = test::capture_test_layer(tmp / "src", {"base", 1}, kPiece);
  LyingSeed liar(layer, tmp / "liar");
  REQUIRE(liar.port != 0);
  auto good = test::start_plain_node(tmp / "good", "127.0.0.2");
  REQUIRE(good->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed).ok());
  // An endpoint whose peers are all in its LAN dials TCP (the liar has no uTP).
  auto dl = test::start_plain_node(tmp / "dl", "127.0.0.3", [](SwarmNodeOptions& o) {
    o.lan_subnets = {"127.0.0.0/24"};
    o.outgoing_utp = false;
  });
  REQUIRE(dl->add_layer(layer.trusted, layer.torrent, tmp / "payload", LayerMode::download).ok());

  // Only the liar first, so the bad piece surely comes from it.
  REQUIRE(dl->add_peer(layer.ref(), "127.0.0.4", liar.port).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE_MESSAGE(test::poll_until({good.get(), dl.get()}, dl.get(), &seen, is<HashFailed>, 15'000),
                  "no HashFailed within 15 s");
  const auto& hf = std::get<HashFailed>(seen.back());
  CHECK(hf.piece == kBadPiece + 1);  // the bin of small.txt, .bc-pack/0, sorts first: piece 0
  CHECK(std::find(hf.peer_ips.begin(), hf.peer_ips.end(), "127.0.0.4") != hf.peer_ips.end());

  REQUIRE(dl->add_peer(layer.ref(), "127.0.0.2", good->listen_port()).ok());
  REQUIRE_MESSAGE(test::poll_until({good.get(), dl.get()}, dl.get(), &seen, is<LayerComplete>, 15'000),
                  "download did not complete within 15 s");
  VerifyOptions vo;
  vo.check_modes = false;
  Status v = verify_payload(layer.trusted, layer.torrent, tmp / "payload", vo);
  CHECK_MESSAGE(v.ok(), v.to_string());
  bool banned = false;
  for (const auto& e : seen)
    if (auto* b = std::get_if<PeerBanned>(&e)) banned = banned || b->peer_ip == "127.0.0.4";
  CHECK_MESSAGE(banned, "the lying peer was not banned");
}
