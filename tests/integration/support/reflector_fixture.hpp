// The reflector integration suites' shared set-up: the real bc-tracker
// process with its origin seed, an admin client, a published layer, and the
// steps the suites repeat (a peer fetching every byte from a reflector, a
// reflector caching a layer and stopping). Used by reflector_prefetch_test
// and reflector_offline_test.
#pragma once

#include <doctest/doctest.h>
#include <chrono>
#include <filesystem>
#include <random>
#include "layers/model/bin_read.hpp"
#include "reflector/agent/reflector_driver.hpp"
#include "tests/integration/support/local_client.hpp"
#include "tests/integration/support/tracker_ca_cert.hpp"
#include "tests/integration/support/tracker_process.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::test::reflector_it {

using namespace bc::tracker;
using nlohmann::json;

inline const std::string kAdmin = "integration-admin-token-0123456789";

inline std::string random_text(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

struct Fixture {
  test::TmpDir tmp;
  test::TrackerProcess proc;
  uint16_t port = 0;
  SystemClock clock;
  std::unique_ptr<TrackerClient> admin;
  std::string layer_dir;
  std::string tracker_key_hex;
  std::string reflector_token;
  std::map<std::string, std::string> files = {{"etc/motd", "welcome\n"},
                                              {"usr/lib/big.bin", random_text(300'000, 7)},
                                              {"usr/lib/other.bin", random_text(70'000, 8)}};

  // `origin_extra`: more lines for the tracker's [origin] section.
  // `port`: a fixed HTTP port, so a restarted tracker comes back where the
  // nodes look for it; 0 = ephemeral.
  explicit Fixture(const std::string& origin_extra = "", uint16_t fixed_port = 0)
      : proc({tmp.path(), kAdmin,
              "\n[origin]\nenabled = true\nlisten = \"127.0.0.100:0\"\n"
              "announce_key = \"reflector-test-origin-key-0123\"\n" +
                  origin_extra,
              fixed_port}) {
    port = proc.start();
    admin = std::make_unique<TrackerClient>(test::local_client(port, proc.ca_file()), nullptr, kAdmin, clock);
    layer_dir = test::make_layer_dir(tmp.path(), "base@1", files);
    REQUIRE(admin->admin_json("POST", "/api/v1/layers/import", {{"dir", layer_dir}}).ok());
    REQUIRE(admin->admin_json("PUT", "/api/v1/branches/hq", {{"subnets", {"127.0.0.0/8"}}}).ok());
    auto info = admin->admin_json("GET", "/api/v1/tracker");
    REQUIRE(info.ok());
    tracker_key_hex = (*info)["public_key"];
    auto tok = admin->admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "reflector"}, {"branch", "hq"}});
    REQUIRE(tok.ok());
    reflector_token = (*tok)["token"];
  }

  // Enrolls an endpoint in hq and assigns it base@1 (the reflector's desired
  // set is the union of its branch's endpoints' stacks).
  std::string endpoint_id;
  void assign_to_endpoint() {
    auto tok = admin->admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "endpoint"}});
    REQUIRE(tok.ok());
    auto key = SecretKey::generate();
    TrackerClient ep(test::local_client(port, proc.ca_file()), &key, "", clock);
    auto e = ep.enroll((*tok)["token"], {{"vendor", "Dell Inc."}}, std::string("hq"));
    REQUIRE_MESSAGE(e.ok(), e.status().to_string());
    endpoint_id = public_key_hex(key.public_key());
    REQUIRE(admin->admin_json("PUT", "/api/v1/assignments/endpoint/" + endpoint_id, {{"stack", {"base@1"}}}).ok());
  }

  // The layer as the tracker signed it.
  std::pair<TrustedManifest, std::string> trusted_layer(const std::string& ref = "base@1") {
    auto m = admin->admin_call("GET", "/api/v1/layers/" + ref + "/manifest");
    REQUIRE(m.ok());
    auto sig = signature_from_hex(m->header("x-bc-signature"));
    REQUIRE(sig.ok());
    auto tm = TrustedManifest::verify(m->body, *sig, *public_key_from_hex(tracker_key_hex));
    REQUIRE(tm.ok());
    auto t = admin->admin_call("GET", "/api/v1/layers/" + ref + "/torrent");
    REQUIRE(t.ok());
    return {std::move(*tm), t->body};
  }

  reflector::ReflectorConfig reflector_config() {
    reflector::ReflectorConfig c;
    c.tracker_url = proc.url();
    c.tracker_ca_file = proc.ca_file();  // as `bc-reflector init --tracker-ca` would pin it
    c.identity_key_file = tmp.path() + "/reflector.key";
    test::write_file(c.identity_key_file, SecretKey::generate().to_hex(), 0600);
    c.tracker_public_key = tracker_key_hex;
    c.registration_token = reflector_token;
    c.branch = "hq";
    c.address = "127.0.0.1";
    c.cache_dir = tmp.path() + "/cache";
    c.quota_bytes = 10u << 20;
    c.listen = "127.0.0.1:0";
    c.poll_interval_ms = 200;
    c.heartbeat_interval_ms = 300;
    return c;
  }

  std::unique_ptr<SwarmNode> node(const std::string& name) {
    SwarmNodeOptions o;
    o.data_dir = tmp.path() + "/" + name;
    o.node_name = name;
    o.listen_interfaces = "127.0.0.1:0";
    o.outgoing_utp = false;
    auto n = SwarmNode::start(o);
    REQUIRE_MESSAGE(n.ok(), n.status().to_string());
    test::certify_with_tracker_ca(**n, tmp.path() + "/data");  // a test peer, entitled to all
    return std::move(*n);
  }
};

inline bool seeding(const reflector::ReflectorDriver& d, const LayerRef& ref) {
  auto it = d.core().cache().find(ref);
  return it != d.core().cache().end() && it->second.state == reflector::CacheState::seeding;
}
// A file's bytes in a downloaded payload: a packed small file is read from
// its bin at its offset, a chunked one from its bins (decoded and checked:
// the payload holds the torrent's layout, compressed bins included).
inline std::string payload_file(const Manifest& m, const std::string& dir, const std::string& path) {
  const Entry* e = m.find(path);
  if (!e || !e->packed()) return test::read_file(dir + "/" + path);
  std::string out;
  Status s = e->chunked() ? read_chunked_file(m, *e, payload_bins_dir(dir), [&](std::span<const uint8_t> c) {
    out.append(reinterpret_cast<const char*>(c.data()), c.size());
    return Status();
  })
                          : read_bin(m, e->bin, {}, payload_bins_dir(dir), &out);
  if (!s.ok()) return "unreadable: " + s.to_string();
  return e->chunked() ? out : out.substr(size_t(e->offset), size_t(e->size));
}

// A fresh peer (in this process) fetches the layer from the reflector alone
// (connected directly), stepping the driver as it goes; every byte checked.
inline void peer_fetches_every_byte(Fixture& f, reflector::ReflectorDriver& d, const TrustedManifest& trusted,
                             const std::string& torrent) {
  const LayerRef ref = trusted.manifest().ref();
  auto peer = f.node("peer");
  std::string peer_dir = f.tmp.path() + "/peer-payload";
  REQUIRE(peer->add_layer(trusted, torrent, peer_dir, LayerMode::download).ok());
  REQUIRE(peer->add_peer(ref, "127.0.0.1", d.listen_port()).ok());
  bool complete = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!complete && std::chrono::steady_clock::now() < deadline) {
    d.step(20);
    for (auto& ev : peer->poll_events(50))
      if (std::holds_alternative<LayerComplete>(ev)) complete = true;
  }
  REQUIRE(complete);
  for (const auto& [path, content] : f.files) CHECK(payload_file(trusted.manifest(), peer_dir, path) == content);
}

// A reflector registers, caches `ref` until it seeds, and stops (its state
// stays on disk). Returns the layer's info-hash.
inline std::string cache_then_stop(Fixture& f, const reflector::ReflectorConfig& cfg, const LayerRef& ref) {
  auto driver = reflector::ReflectorDriver::create(cfg, f.clock);
  REQUIRE(driver.ok());
  REQUIRE((*driver)->register_or_heartbeat().ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!seeding(**driver, ref) && std::chrono::steady_clock::now() < deadline) (*driver)->step(50);
  REQUIRE(seeding(**driver, ref));
  return (*driver)->core().cache().at(ref).info_hash;
}


}  // namespace bc::test::reflector_it
