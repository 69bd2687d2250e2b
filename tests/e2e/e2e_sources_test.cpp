// End to end (label e2e): where bytes may come from: a hostile insider's are
// refused; a BEP 19 web seed's are enough on their own.
#include <doctest/doctest.h>

#include "tests/e2e/rollout_checks.hpp"
#include "tests/e2e/bare_session.hpp"

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/torrent_info.hpp>

#include <algorithm>
#include <filesystem>

#include "layers/pki/pki.hpp"
#include "layers/swarm/node_cert.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "tests/integration/support/local_client.hpp"
#include "tests/tracker/origin/range_file_server.hpp"

using namespace bc;
using namespace bc::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

namespace lt = libtorrent;

// A hostile insider: enrolled as an endpoint of the branch, it announces the
// layer as complete and serves a payload with a flipped byte in many pieces.
// It claims every piece without hashing (have_pieces), so it really sends the
// bad bytes.
struct HostileSeed {
  std::unique_ptr<lt::session> ses;
  lt::torrent_handle handle;

  HostileSeed(RolloutWorld& w, const std::string& tree, const std::string& branch, const std::string& ip) {
    SecretKey key = SecretKey::generate();
    SystemClock clock;
    tracker::TrackerClient client(local_client(w.tracker_port(), w.tracker().ca_file()), &key, "", clock);
    auto rec = client.enroll(w.endpoint_token(), {}, branch);
    REQUIRE_MESSAGE(rec.ok(), rec.status().to_string());
    std::string announce_key = (*rec)["announce_key"].get<std::string>();
    auto t = w.admin().admin_call("GET", "/api/v1/layers/base@1/torrent");
    REQUIRE((t.ok() && t->status == 200));
    auto facts = read_layer_torrent(t->body);
    REQUIRE(facts.ok());
    std::string dir = w.dir() + "/hostile";
    // From the tracker's origin store: the torrent's layout, bins of packed
    // small files included (the tree has no bins).
    const std::string store = w.dir() + "/data/origin/" + facts->info_hash;
    for (const auto& [path, f] : facts->files) {
      std::string bytes = read_file(store + "/" + path);
      for (size_t off = 1000; off < bytes.size(); off += 3 * kPiece) bytes[off] ^= 0x5a;  // every third piece
      write_file(dir + "/" + facts->top_dir + "/" + path, bytes);
    }
    // The layer is an SSL torrent: the insider listens for TLS and presents
    // the certificate the tracker issues it (it is entitled to base@1).
    lt::settings_pack s = bare_session_settings(ip);
    s.set_bool(lt::settings_pack::enable_outgoing_utp, false);
    s.set_bool(lt::settings_pack::validate_https_trackers, false);  // not the point here
    ses = std::make_unique<lt::session>(lt::session_params(std::move(s)));
    lt::add_torrent_params atp;
    atp.ti = std::make_shared<lt::torrent_info>(lt::span<const char>(t->body.data(), long(t->body.size())), lt::from_span);
    atp.save_path = dir;
    atp.have_pieces.resize(atp.ti->num_pieces(), true);
    atp.trackers = {w.tracker_url() + "/announce?bckey=" + announce_key};
    atp.flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused);
    handle = ses->add_torrent(std::move(atp));
    auto tls = pki::generate_key();
    REQUIRE(tls.ok());
    auto cert = tracker::expect_json(client.node_call("POST", "/api/v1/cert", json{{"public_key", tls->public_pem}}.dump()),
                                     "certificate");
    REQUIRE_MESSAGE(cert.ok(), cert.status().to_string());
    handle.set_ssl_certificate_buffer((*cert)["cert"].get<std::string>(), tls->private_pem, tls_dh_params_pem());
  }
  // Announced and seeding (the tracker counts it as a complete peer).
  bool ready() {
    lt::torrent_status st = handle.status();
    return st.is_seeding && st.num_complete >= 1;
  }
};

}  // namespace

TEST_CASE("a hostile peer serving corrupt pieces is caught by the hash check and banned, and nothing corrupt is applied") {
  WorldOptions o;
  o.branches = {{"south", 0, 1}};         // no reflector: the hostile insider and the origin are the sources
  o.origin_upload_limit = 2 << 20;        // the hostile peer is faster than the origin: it gets to send
  RolloutWorld w(o);
  const std::string base1 = publish_base1(w, "south");
  HostileSeed hostile(w, base1, "south", "127.1.0.99");
  WAIT_OR_FAIL(w, hostile.ready(), 30'000, "the hostile seed never announced");
  w.start_all();
  Node& e1 = w.node("south-e1");
  WAIT_OR_FAIL(w, w.all_applied({"base@1"}), kRolloutTimeoutMs, "the endpoint did not finish next to a hostile peer");
  check_tree(e1, expected_tree({base1}));
  // The hash check caught the peer: the endpoint banned it, and keeps the ban
  // on disk. Every way onto that list is a failed hash check: libtorrent's
  // ban for data that failed it, its trust points running out after failed
  // pieces, or, when libtorrent 2.0.8 crashes right after the failed piece
  // (arvidn/libtorrent#8630, seen in a clean CI run), the restarted worker
  // banning the peer the failure recorded in suspect-peers.
  const std::vector<std::string> bans = banned_peers(e1);
  CHECK_MESSAGE(std::count(bans.begin(), bans.end(), "127.1.0.99") == 1, "banned: " << json(bans).dump());
}

TEST_CASE("with the origin seed off, a BEP 19 web seed over the origin store alone brings an endpoint its stack") {
  TmpDir store;  // the HTTP server's root: links to the tracker's origin store, as an nginx alias would
  RangeFileServer server(store.path());
  WorldOptions o;
  o.branches = {{"south", 0, 1}};
  o.origin_seed = false;
  o.web_seeds = {server.base_url()};
  RolloutWorld w(o);
  const std::string base1 = publish_base1(w, "south");
  for (const auto& e : fs::directory_iterator(w.dir() + "/data/origin"))
    if (e.is_directory() && e.path().filename().string()[0] != '.')
      fs::create_directory_symlink(e.path(), store.path() + "/" + e.path().filename().string());
  w.start_all();
  WAIT_OR_FAIL(w, w.all_applied({"base@1"}), kRolloutTimeoutMs, "the endpoint did not finish from the web seed");
  check_tree(w.node("south-e1"), expected_tree({base1}));
  uint64_t layer_bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(base1))
    if (e.is_regular_file() && !e.is_symlink()) layer_bytes += e.file_size();
  MESSAGE("the web seed served " << server.bytes_sent() << " bytes for a " << layer_bytes << "-byte layer");
  CHECK(server.bytes_sent() >= layer_bytes);
}

TEST_CASE("with the origin seed off, the tracker's own tokenized HTTPS web seed alone brings an endpoint its stack") {
  WorldOptions o;
  o.branches = {{"south", 0, 1}};
  o.origin_seed = false;
  o.serve_web_seed = true;
  RolloutWorld w(o);
  const std::string base1 = publish_base1(w, "south");
  w.start_all();
  WAIT_OR_FAIL(w, w.all_applied({"base@1"}), kRolloutTimeoutMs, "the endpoint did not finish from the web seed");
  check_tree(w.node("south-e1"), expected_tree({base1}));
  auto page = w.admin().http().request("GET", "/metrics", "", {});
  REQUIRE(page.ok());
  // bc-endpoint took the tokenized URL from its desired state; libtorrent
  // fetched ranges over TLS (the SSL torrent's context) and every one was granted.
  CHECK(page->body.find("bc_tracker_http_requests_total{route=\"/ws\",method=\"GET\",status=\"206\"}") !=
        std::string::npos);
  CHECK(page->body.find("bc_tracker_forbidden_total{route=\"webseed\"}") == std::string::npos);
}
