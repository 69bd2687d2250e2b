// End to end (label e2e): the data plane is closed. Real bc-tracker (origin
// seed), bc-reflector and bc-endpoint processes hold an SSL layer; test
// probes are plain libtorrent sessions that hold the layer's .torrent and
// every address:
//   - a stranger without a certificate, one with a certificate of another CA,
//     and an enrolled endpoint of another branch get 0 payload bytes from the
//     origin, the reflector and an endpoint; an entitled probe (the control)
//     does download, so the probes are able to;
//   - a node revoked mid-transfer is dropped by every peer within 60 s and
//     gets nothing more.
#include <doctest/doctest.h>

#include "tests/e2e/rollout_checks.hpp"
#include "tests/e2e/bare_session.hpp"

#include <libtorrent/session.hpp>
#include <libtorrent/torrent_info.hpp>

#include <chrono>
#include <thread>

#include "layers/pki/pki.hpp"
#include "layers/swarm/node_cert.hpp"
#include "tests/integration/support/local_client.hpp"
#include "tests/support/bt_query.hpp"
#include "tests/support/net.hpp"
#include "tests/support/test_pki.hpp"

using namespace bc;
using namespace bc::test;
using nlohmann::json;
namespace lt = libtorrent;

namespace {

using Steady = std::chrono::steady_clock;

struct Endpoint {
  std::string ip;
  int port = 0;
  std::string text() const { return ip + ":" + std::to_string(port); }
};

// The IPv4 peers of a compact announce answer ("5:peers<N>:<6N bytes>").
std::vector<Endpoint> compact_peers(const std::string& body) {
  std::vector<Endpoint> out;
  size_t at = body.find("5:peers");
  if (at == std::string::npos) return out;
  size_t colon = body.find(':', at + 7);
  if (colon == std::string::npos) return out;
  size_t n = std::stoul(body.substr(at + 7, colon - at - 7));
  std::string raw = body.substr(colon + 1, n);
  for (size_t i = 0; i + 6 <= raw.size(); i += 6) {
    auto b = [&](size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(raw[i + k])); };
    out.push_back({std::to_string(b(0)) + "." + std::to_string(b(1)) + "." + std::to_string(b(2)) + "." +
                       std::to_string(b(3)),
                   static_cast<int>(b(4) << 8 | b(5))});
  }
  return out;
}

// An endpoint enrolled by the test in `branch`, with the certificate the
// tracker issues it: what a real node of that branch holds.
struct Enrolled {
  std::string id, announce_key;
  pki::KeyPair tls;
  json cert;
};

Enrolled enroll(RolloutWorld& w, const std::string& branch) {
  SecretKey key = SecretKey::generate();
  SystemClock clock;
  tracker::TrackerClient client(local_client(w.tracker_port(), w.tracker().ca_file()), &key, "", clock);
  auto rec = client.enroll(w.endpoint_token(), {}, branch);
  REQUIRE_MESSAGE(rec.ok(), rec.status().to_string());
  Enrolled e;
  e.id = (*rec)["id"].get<std::string>();
  e.announce_key = (*rec)["announce_key"].get<std::string>();
  e.tls = *pki::generate_key();
  auto cert = tracker::expect_json(client.node_call("POST", "/api/v1/cert", json{{"public_key", e.tls.public_pem}}.dump()),
                                   "certificate");
  REQUIRE_MESSAGE(cert.ok(), cert.status().to_string());
  e.cert = *cert;
  return e;
}

// The peers the tracker hands an enrolled node of the layer's swarm.
std::vector<Endpoint> peers_for(RolloutWorld& w, const Enrolled& e, const std::string& raw_hash) {
  std::string raw = raw_tls_exchange(w.tracker_port(), "GET " + announce_target(e.announce_key, raw_hash, 1) +
                                                           "&compact=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  REQUIRE_MESSAGE(status_of(raw) == 200, raw);
  return compact_peers(body_of(raw));
}

// A bare libtorrent session holding the layer's torrent, dialling targets by
// hand; `cert`/`key` empty: it presents no certificate.
struct Probe {
  std::unique_ptr<lt::session> ses;
  lt::torrent_handle h;

  Probe(const std::string& ip, const std::string& torrent, const std::string& dir, const std::string& cert,
        const std::string& key, int download_limit = 0) {
    ses = std::make_unique<lt::session>(lt::session_params(bare_session_settings(ip)));
    lt::add_torrent_params atp;
    atp.ti = std::make_shared<lt::torrent_info>(lt::span<const char>(torrent.data(), long(torrent.size())), lt::from_span);
    atp.save_path = dir;
    atp.flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused);
    h = ses->add_torrent(std::move(atp));
    // On the torrent, not the session: the session's limit spares local
    // (loopback) peers, the torrent's class does not.
    if (download_limit > 0) h.set_download_limit(download_limit);
    if (!cert.empty()) h.set_ssl_certificate_buffer(cert, key, tls_dh_params_pem());
    REQUIRE(eventually([&] { return h.status().state != lt::torrent_status::checking_files; }, 10'000, 20));
  }
  void dial(const std::vector<Endpoint>& targets) {
    for (const auto& t : targets)
      h.connect_peer(lt::tcp::endpoint(lt::make_address_v4(t.ip), static_cast<unsigned short>(t.port)));
  }
  int64_t payload() const { return h.status().total_payload_download; }
  int peers() const { return h.status().num_peers; }
};

}  // namespace

TEST_CASE("strangers, another CA's certificate and another branch's endpoint get 0 payload bytes from the origin, a reflector and an endpoint") {
  WorldOptions o;
  // "south" has no node of its own: a node enrolled there is its first, so the
  // tracker hands it the origin (west's one origin grant is west-e1's lease).
  o.branches = {{"east", 1, 1}, {"west", 0, 1}, {"north", 0, 1}, {"south", 0, 0}};
  RolloutWorld w(o);
  const std::string secret = w.dir() + "/tree-secret", other = w.dir() + "/tree-other";
  write_file(secret + "/images/licensed.img", random_bytes(8u << 20, 11));
  write_file(other + "/etc/motd", "north only\n");
  w.publish(secret, "secret", 1, "app");
  w.publish(other, "other", 1, "app");
  give_users_files(w);
  w.assign_branch("east", {"secret@1"});
  w.assign_branch("west", {"secret@1"});
  w.assign_branch("south", {"secret@1"});
  w.assign_branch("north", {"other@1"});
  w.start_all();
  WAIT_OR_FAIL(w, w.all_applied({"secret@1"}, "east") && w.all_applied({"secret@1"}, "west"), kRolloutTimeoutMs,
               "secret@1 was not applied in east and west");

  auto t = w.admin().admin_call("GET", "/api/v1/layers/secret@1/torrent");
  REQUIRE((t.ok() && t->status == 200));
  auto facts = read_layer_torrent(t->body);
  REQUIRE(facts.ok());
  const std::string raw_hash = std::string(reinterpret_cast<const char*>(
      lt::torrent_info(lt::span<const char>(t->body.data(), long(t->body.size())), lt::from_span).info_hashes().v2.data()), 20);
  // Addresses, as anyone watching the network would learn them: an east node
  // is handed the reflector and the east endpoint, a south node (no
  // reflector) the origin.
  Enrolled east = enroll(w, "east"), south = enroll(w, "south"), north = enroll(w, "north");
  std::vector<Endpoint> targets;
  for (const auto& p : peers_for(w, east, raw_hash)) targets.push_back(p);
  for (const auto& p : peers_for(w, south, raw_hash))
    if (p.ip == "127.0.0.100") targets.push_back(p);
  std::string listed;
  for (const auto& p : targets) listed += p.text() + " ";
  MESSAGE("targets: " << listed);
  auto has_ip = [&](const std::string& ip) {
    return std::any_of(targets.begin(), targets.end(), [&](const Endpoint& e) { return e.ip == ip; });
  };
  REQUIRE_MESSAGE(has_ip("127.0.0.100"), "the origin was not handed out: " << listed);
  REQUIRE_MESSAGE(has_ip(w.node("east-r1").ip), "the reflector was not handed out: " << listed);
  REQUIRE_MESSAGE(has_ip(w.node("east-e1").ip), "the endpoint was not handed out: " << listed);

  TestCa foreign("a stranger's CA");
  TestCert star = foreign.issue({"*"});
  Probe none("127.200.0.1", t->body, w.dir() + "/p-none", "", "");
  Probe other_ca("127.200.0.2", t->body, w.dir() + "/p-ca", star.cert_pem, star.key_pem);
  Probe other_branch("127.200.0.3", t->body, w.dir() + "/p-north", north.cert["cert"].get<std::string>(),
                     north.tls.private_pem);
  Probe control("127.200.0.4", t->body, w.dir() + "/p-east", east.cert["cert"].get<std::string>(), east.tls.private_pem);
  for (Probe* p : {&none, &other_ca, &other_branch, &control}) p->dial(targets);

  // The control downloads the whole layer from these very targets...
  WAIT_OR_FAIL(w, control.h.status().is_seeding, 120'000, "the entitled probe did not complete");
  // ... while the others, dialling the same targets for as long (and 10 s
  // more, redialling), get nothing.
  for (int i = 0; i < 10; ++i) {
    for (Probe* p : {&none, &other_ca, &other_branch}) p->dial(targets);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  CHECK(none.payload() == 0);
  CHECK(other_ca.payload() == 0);
  CHECK(other_branch.payload() == 0);
  MESSAGE("payload bytes: no certificate " << none.payload() << ", another CA " << other_ca.payload()
                                           << ", north's endpoint " << other_branch.payload() << ", entitled east probe "
                                           << control.payload());
  CHECK(control.payload() >= int64_t(8u << 20));
}

TEST_CASE("a node revoked mid-transfer is dropped by the origin, the reflector and an endpoint within 60 s and gets nothing more") {
  WorldOptions o;
  o.branches = {{"east", 1, 1}, {"west", 0, 1}, {"south", 0, 0}};  // south: see the test above
  RolloutWorld w(o);
  const std::string tree = w.dir() + "/tree-big";
  write_file(tree + "/images/big.img", random_bytes(32u << 20, 12));
  w.publish(tree, "big", 1, "app");
  give_users_files(w);
  w.assign_branch("east", {"big@1"});
  w.assign_branch("west", {"big@1"});
  w.assign_branch("south", {"big@1"});
  w.start_all();
  WAIT_OR_FAIL(w, w.all_applied({"big@1"}), kRolloutTimeoutMs, "big@1 was not applied");

  auto t = w.admin().admin_call("GET", "/api/v1/layers/big@1/torrent");
  REQUIRE((t.ok() && t->status == 200));
  const std::string raw_hash = std::string(reinterpret_cast<const char*>(
      lt::torrent_info(lt::span<const char>(t->body.data(), long(t->body.size())), lt::from_span).info_hashes().v2.data()), 20);
  Enrolled victim = enroll(w, "east");
  // The reflector and the east endpoint, as the tracker hands them to the
  // victim; the origin, as it is handed to a branch without a reflector.
  std::vector<Endpoint> targets = peers_for(w, victim, raw_hash);
  for (const auto& e : peers_for(w, enroll(w, "south"), raw_hash))
    if (e.ip == "127.0.0.100") targets.push_back(e);
  REQUIRE(targets.size() >= 3);
  // 128 KiB/s: 32 MiB would take ~4 minutes, so the revocation lands mid-transfer.
  Probe p("127.200.0.9", t->body, w.dir() + "/p-victim", victim.cert["cert"].get<std::string>(),
          victim.tls.private_pem, 128 * 1024);
  p.dial(targets);
  WAIT_OR_FAIL(w, p.payload() >= (512 << 10) && p.peers() >= 3, 60'000,
               "the victim did not start downloading from the origin, the reflector and the endpoint");
  MESSAGE("before revocation: " << p.payload() << " payload bytes from " << p.peers() << " peers");
  REQUIRE(p.payload() < int64_t(16u << 20));  // mid-transfer

  auto rev = w.admin().admin_call("POST", "/api/v1/nodes/" + victim.id + "/revoke");
  REQUIRE_MESSAGE((rev.ok() && rev->status / 100 == 2), (rev.ok() ? rev->body : rev.status().to_string()));
  const auto t0 = Steady::now();
  // Dropped by every peer: no connection left, and redialling gets none back.
  bool dropped = eventually([&] {
    p.dial(targets);
    return p.peers() == 0;
  }, 60'000, 500);
  const double took_s = std::chrono::duration<double>(Steady::now() - t0).count();
  MESSAGE("revoked node dropped by every peer after " << took_s << " s");
  REQUIRE_MESSAGE(dropped, "still connected to " << p.peers() << " peers 60 s after revocation");
  CHECK(took_s <= 60.0);
  const int64_t at_drop = p.payload();
  for (int i = 0; i < 10; ++i) {
    p.dial(targets);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  CHECK_MESSAGE(p.payload() == at_drop, "the revoked node got " << (p.payload() - at_drop) << " more bytes");
  CHECK(p.peers() == 0);
  CHECK(p.payload() < int64_t(32u << 20));
}
