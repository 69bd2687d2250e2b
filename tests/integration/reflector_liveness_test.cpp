// Dead reflectors noticed fast (issue #17): the real bc-tracker process and
// two real reflector drivers (libtorrent sessions) in one branch. One
// reflector goes silent (its driver is no longer stepped: no heartbeat
// leaves it, as after SIGKILL or a hang); the branch's endpoint announces
// every 250 ms and its peer list stops naming the silent reflector within
// 10 s, keeps naming the sibling, and a real endpoint swarm node that learns
// its peers only from the tracker then completes the layer. When the silent
// reflector heartbeats again it is back in the list.
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <string>

#include "tests/integration/support/reflector_fixture.hpp"
#include "tests/support/bt_query.hpp"
#include "tests/support/net.hpp"
#include "tests/support/poll.hpp"
#include "tracker/bt/info_hash.hpp"

namespace bc::test::reflector_it {
namespace {

using Clock = std::chrono::steady_clock;

// The compact IPv4 peers ("a.b.c.d:port") of a bencoded announce answer.
std::set<std::string> compact_peers(const std::string& body) {
  std::set<std::string> out;
  size_t at = body.find("5:peers");
  if (at == std::string::npos) return out;
  at += 7;
  size_t colon = body.find(':', at);
  if (colon == std::string::npos) return out;
  size_t n = std::stoul(body.substr(at, colon - at));
  std::string raw = body.substr(colon + 1, n);
  for (size_t i = 0; i + 6 <= raw.size(); i += 6) {
    auto b = [&](size_t k) { return std::to_string(static_cast<unsigned char>(raw[i + k])); };
    int port = (static_cast<unsigned char>(raw[i + 4]) << 8) | static_cast<unsigned char>(raw[i + 5]);
    out.insert(b(0) + "." + b(1) + "." + b(2) + "." + b(3) + ":" + std::to_string(port));
  }
  return out;
}

struct Endpoint {
  SecretKey key = SecretKey::generate();
  std::string id, announce_key;
};

// Enrolls an endpoint in hq, assigns it base@1 and reads its announce key.
Endpoint enroll_endpoint(Fixture& f) {
  Endpoint e;
  auto tok = f.admin->admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "endpoint"}});
  REQUIRE(tok.ok());
  TrackerClient client(test::local_client(f.port, f.proc.ca_file()), &e.key, "", f.clock);
  REQUIRE(client.enroll((*tok)["token"], {{"vendor", "Dell Inc."}}, std::string("hq")).ok());
  e.id = public_key_hex(e.key.public_key());
  REQUIRE(f.admin->admin_json("PUT", "/api/v1/assignments/endpoint/" + e.id, {{"stack", {"base@1"}}}).ok());
  auto desired = client.poll_desired("");
  REQUIRE(desired.ok());
  e.announce_key = desired->state.value("announce_key", "");
  REQUIRE(!e.announce_key.empty());
  return e;
}

reflector::ReflectorConfig sibling(Fixture& f, const std::string& name, const std::string& ip) {
  auto c = f.reflector_config();
  c.identity_key_file = f.tmp.path() + "/" + name + ".key";
  test::write_file(c.identity_key_file, SecretKey::generate().to_hex(), 0600);
  auto tok = f.admin->admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "reflector"}, {"branch", "hq"}});
  REQUIRE(tok.ok());
  c.registration_token = (*tok)["token"];  // one-time tokens: one per reflector
  c.address = ip;
  c.listen = ip + ":0";
  c.cache_dir = f.tmp.path() + "/" + name + "-cache";
  c.heartbeat_interval_ms = 15'000;  // the defaults: full heartbeats rare,
  c.liveness_interval_ms = 3'000;    // bare ones every 3 s
  return c;
}

TEST_CASE("a silent reflector leaves its branch's peer lists within 10 s; the sibling serves the endpoint") {
  Fixture f;  // [announce] reflector_live_s at its default (7 s)
  Endpoint ep = enroll_endpoint(f);
  auto [trusted, torrent] = f.trusted_layer();
  const LayerRef ref = trusted.manifest().ref();
  auto r1 = reflector::ReflectorDriver::create(sibling(f, "r1", "127.0.0.2"), f.clock);
  auto r2 = reflector::ReflectorDriver::create(sibling(f, "r2", "127.0.0.3"), f.clock);
  REQUIRE(r1.ok());
  REQUIRE(r2.ok());
  REQUIRE((*r1)->register_or_heartbeat().ok());
  REQUIRE((*r2)->register_or_heartbeat().ok());
  auto deadline = Clock::now() + std::chrono::seconds(90);
  while ((!seeding(**r1, ref) || !seeding(**r2, ref)) && Clock::now() < deadline) {
    (*r1)->step(20);
    (*r2)->step(20);
  }
  REQUIRE(seeding(**r1, ref));
  REQUIRE(seeding(**r2, ref));
  const std::string a1 = "127.0.0.2:" + std::to_string((*r1)->listen_port());
  const std::string a2 = "127.0.0.3:" + std::to_string((*r2)->listen_port());

  auto hash = tracker::bt::InfoHash::from_v2_hex(trusted.manifest().info_hash);
  REQUIRE(hash);
  auto peers = [&] {
    std::string raw = test::raw_tls_exchange(
        f.port, "GET " + test::announce_target(ep.announce_key, hash->raw(), trusted.manifest().total_file_bytes()) +
                    "&compact=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    return compact_peers(test::body_of(raw));
  };
  // Both reflectors are announced (their sessions re-announce once seeding).
  std::set<std::string> seen;
  REQUIRE_MESSAGE(test::eventually([&] {
                    (*r1)->step(10);
                    (*r2)->step(10);
                    seen = peers();
                    return seen.count(a1) && seen.count(a2);
                  }, 30'000, 100),
                  "peers: " << seen.size());

  // r1 falls silent now. r2 keeps running.
  const auto silent_at = Clock::now();
  double gone_s = -1;
  while (Clock::now() - silent_at < std::chrono::seconds(20)) {
    (*r2)->step(250);
    seen = peers();
    if (!seen.count(a1)) {
      gone_s = std::chrono::duration<double>(Clock::now() - silent_at).count();
      break;
    }
  }
  MESSAGE("silent reflector left the endpoint's peer list after " << gone_s << " s");
  REQUIRE(gone_s >= 0);
  CHECK(gone_s <= 10.0);
  CHECK(seen.count(a2));  // the sibling is still handed out

  // A real endpoint node, peers from the tracker only, completes from the sibling.
  SwarmNodeOptions o;
  o.data_dir = f.tmp.path() + "/endpoint";
  o.node_name = "endpoint";
  o.listen_interfaces = "127.0.0.1:0";
  o.outgoing_utp = false;
  o.tracker_url = f.proc.url() + "/announce";
  o.tracker_key = ep.announce_key;
  o.tracker_key_param = "bckey";
  auto node = SwarmNode::start(o);
  REQUIRE_MESSAGE(node.ok(), node.status().to_string());
  test::certify_with_tracker_ca(**node, f.tmp.path() + "/data");
  REQUIRE((*node)->add_layer(trusted, torrent, f.tmp.path() + "/endpoint-payload", LayerMode::download).ok());
  bool complete = false;
  deadline = Clock::now() + std::chrono::seconds(60);
  while (!complete && Clock::now() < deadline) {
    (*r2)->step(20);
    for (auto& ev : (*node)->poll_events(50))
      if (std::holds_alternative<LayerComplete>(ev)) complete = true;
  }
  CHECK(complete);
  for (const auto& [path, content] : f.files)
    CHECK(payload_file(trusted.manifest(), f.tmp.path() + "/endpoint-payload", path) == content);

  // r1 speaks again: its next heartbeat brings its entry back.
  CHECK(test::eventually([&] {
    (*r1)->step(10);
    (*r2)->step(10);
    return peers().count(a1) == 1;
  }, 10'000, 200));
}

}  // namespace
}  // namespace bc::test::reflector_it
