// The node's CertKeeper against the real bc-tracker binary: key file made
// 0600 and refused when others can read it, a certificate naming the
// entitled torrents saved and handed to the swarm, early renewal for a layer
// the certificate lacks, revoked serials polled, a revoked node keeping its
// certificate until expiry. The keeper's clock is manual (scheduling); the
// requests are signed with the real time the tracker checks.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <ctime>
#include <filesystem>

#include "layers/pki/pki.hpp"
#include "node/cert_keeper.hpp"
#include "tests/integration/support/running_tracker.hpp"
#include "tests/tracker/support/layer_fixture.hpp"

using namespace bc;
using nlohmann::json;

namespace {

struct Sink {
  std::vector<std::string> certs;
  std::vector<std::vector<std::string>> revoked;
  node::CertSink sink() {
    return {[this](const std::string& c, const std::string&) {
              certs.push_back(c);
              return Status();
            },
            [this](std::vector<std::string> s) { revoked.push_back(std::move(s)); }};
  }
};

struct KeeperWorld {
  test::RunningTracker t;
  SecretKey key = SecretKey::generate();
  tracker::TrackerClient client{t.client_options(), &key, "", t.clock};
  ManualClock clock{0, std::time(nullptr)};
  std::string dir = t.tmp.path() + "/node";
  node::Logger log = node::make_node_logger("test", "");

  KeeperWorld() {
    for (const char* ref : {"base@1", "extra@1"}) {
      std::string d = test::make_layer_dir(t.tmp.path(), ref, {{"etc/f", ref}, {"etc/g", "x"}});
      REQUIRE(t.admin.admin_json("POST", "/api/v1/layers/import", {{"dir", d}}).ok());
    }
    REQUIRE(t.admin.admin_json("PUT", "/api/v1/branches/hq", {{"subnets", {"127.0.0.0/8"}}}).ok());
    REQUIRE(t.admin.admin_json("PUT", "/api/v1/assignments/branch/hq", {{"stack", {"base@1"}}}).ok());
    t.enroll_endpoint(client);
    std::filesystem::create_directories(dir);
  }
  std::unique_ptr<node::CertKeeper> open(Sink& s) {
    auto k = node::CertKeeper::open({dir}, client, clock, s.sink(), log);
    REQUIRE_MESSAGE(k.ok(), k.status().to_string());
    return std::move(*k);
  }
};

}  // namespace

TEST_CASE("CertKeeper: makes peer.key 0600, gets and saves a certificate naming the entitled torrents, polls revocations") {
  KeeperWorld w;
  Sink s;
  auto k = w.open(s);
  struct stat st;
  REQUIRE(::stat((w.dir + "/peer.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(k->has_certificate());
  k->tick();
  REQUIRE(k->has_certificate());
  CHECK(k->names() == std::vector<std::string>{"base-v1"});
  REQUIRE(s.certs.size() == 1);
  CHECK(test::read_file(w.dir + "/peer.pem") == s.certs[0]);
  REQUIRE(s.revoked.size() == 1);
  CHECK(s.revoked[0].empty());
  // Within 15 s no second poll; after it, one.
  w.clock.advance_ms(14'000);
  k->tick();
  CHECK(s.revoked.size() == 1);
  w.clock.advance_ms(1'000);
  k->tick();
  CHECK(s.revoked.size() == 2);

  // A layer the certificate lacks: one early request, then none for 10 s.
  CHECK_FALSE(k->ensure_covers("extra-v1"));
  REQUIRE(w.t.admin.admin_json("PUT", "/api/v1/assignments/branch/hq", {{"stack", {"base@1", "extra@1"}}}).ok());
  CHECK_FALSE(k->ensure_covers("extra-v1"));  // rate-limited: not asked again yet
  const std::string before = k->serial();
  w.clock.advance_ms(9'000);
  k->tick();
  CHECK(k->serial() == before);
  // When the period ends the loop asks by itself: the layer was added once
  // and nobody calls ensure_covers for it again (what stalled a delta rollout
  // assigned seconds after the first).
  w.clock.advance_ms(1'000);
  k->tick();
  CHECK(k->names() == std::vector<std::string>{"base-v1", "extra-v1"});
  CHECK(k->ensure_covers("extra-v1"));

  // A restart applies the saved certificate before any tracker call.
  Sink s2;
  auto again = w.open(s2);
  CHECK(again->serial() == k->serial());
  CHECK(s2.certs.size() == 1);

  // Another node revoked: its serial reaches this node's swarm at the next poll.
  auto other_key = SecretKey::generate();
  tracker::TrackerClient other{w.t.client_options(), &other_key, "", w.t.clock};
  w.t.enroll_endpoint(other);
  auto pk = pki::generate_key();
  auto oc = tracker::expect_json(other.node_call("POST", "/api/v1/cert", json{{"public_key", pk->public_pem}}.dump()), "cert");
  REQUIRE(oc.ok());
  REQUIRE(w.t.admin.admin_json("POST", "/api/v1/nodes/" + public_key_hex(other_key.public_key()) + "/revoke").ok());
  w.clock.advance_ms(15'000);
  k->tick();
  CHECK(s.revoked.back() == std::vector<std::string>{(*oc)["serial"].get<std::string>()});
}

TEST_CASE("CertKeeper: a revoked node keeps its certificate until expiry; a peer key others can read is refused") {
  KeeperWorld w;
  Sink s;
  auto k = w.open(s);
  k->tick();
  REQUIRE(k->has_certificate());
  const std::string serial = k->serial();
  REQUIRE(w.t.admin.admin_json("POST", "/api/v1/nodes/" + public_key_hex(w.key.public_key()) + "/revoke").ok());
  w.clock.advance_ms(1'801'000);  // past half-life by the node's clock: it asks, the tracker refuses
  k->tick();
  CHECK(k->serial() == serial);
  CHECK(s.certs.size() == 1);
  ::chmod((w.dir + "/peer.key").c_str(), 0644);
  auto bad = node::CertKeeper::open({w.dir}, w.client, w.clock, s.sink(), w.log);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Status::Code::permission_denied);
  CHECK(bad.status().message().find("chmod 600") != std::string::npos);
}
