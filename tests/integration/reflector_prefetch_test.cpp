// A reflector (the real driver, in this process) against the real bc-tracker
// process with its origin seed: registered in a branch, it prefetches a layer
// assigned to an endpoint of that branch from the origin the tracker hands it,
// and then seeds it.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include "layers/model/layer_dir.hpp"
#include "tests/integration/support/reflector_fixture.hpp"

using namespace bc;
using namespace bc::tracker;
using namespace bc::test::reflector_it;
using nlohmann::json;

TEST_CASE("a registered reflector prefetches a layer assigned to an endpoint of its branch and seeds it") {
  Fixture f;
  f.assign_to_endpoint();
  auto [trusted, torrent] = f.trusted_layer();
  const LayerRef ref{"base", 1};

  auto driver = reflector::ReflectorDriver::create(f.reflector_config(), f.clock);
  REQUIRE_MESSAGE(driver.ok(), driver.status().to_string());
  auto& d = **driver;
  REQUIRE_MESSAGE(d.register_or_heartbeat().ok(), "registration failed");
  REQUIRE(d.core().desired().size() == 1);
  CHECK(d.core().desired()[0].ref == ref);

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!seeding(d, ref) && std::chrono::steady_clock::now() < deadline) {
    d.step(50);
  }
  REQUIRE(seeding(d, ref));
  const auto& cached = d.core().cache().at(ref);
  std::string payload = f.tmp.path() + "/cache/layers/" + cached.info_hash + "/payload";
  for (const auto& [path, content] : f.files) CHECK(payload_file(trusted.manifest(), payload, path) == content);

  // The tracker hears about it: the heartbeat's cache and the status report.
  auto stop_at = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  json status;
  while (std::chrono::steady_clock::now() < stop_at) {
    d.step(50);
    auto s = f.admin->admin_json("GET", "/api/v1/status/nodes/" + d.node_id());
    if (s.ok() && s->dump().find("complete") != std::string::npos) {
      status = *s;
      break;
    }
  }
  INFO(status.dump());
  CHECK(status.dump().find("base@1") != std::string::npos);

  // The tracker and its origin go away; a fresh peer gets every byte from the reflector.
  REQUIRE(f.proc.stop() == 0);
  peer_fetches_every_byte(f, d, trusted, torrent);
}

TEST_CASE("a reflector reports the WAN bytes of a fetch still in progress, and the whole layer once done") {
  Fixture f("upload_limit_bytes_per_s = 60000\n");  // ~6 s for the layer's 370 kB
  f.assign_to_endpoint();
  const LayerRef ref{"base", 1};
  auto driver = reflector::ReflectorDriver::create(f.reflector_config(), f.clock);
  REQUIRE_MESSAGE(driver.ok(), driver.status().to_string());
  auto& d = **driver;
  REQUIRE(d.register_or_heartbeat().ok());
  auto fetching = [&] {
    auto it = d.core().cache().find(ref);
    return it != d.core().cache().end() && it->second.state == reflector::CacheState::fetching;
  };
  // Mid-fetch: the status report (through the real tracker) already counts
  // the bytes received so far. (On loopback the origin sits inside the
  // branch's 127/8, so its bytes are not classed "origin"; the sum is checked.)
  uint64_t reported_mid_fetch = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (reported_mid_fetch == 0 && !seeding(d, ref) && std::chrono::steady_clock::now() < deadline) {
    d.step(50);
    if (!fetching()) continue;
    auto s = f.admin->admin_json("GET", "/api/v1/status/nodes/" + d.node_id());
    if (!s.ok()) continue;
    const json src = s->value("bytes_by_source", json::object());
    uint64_t sum = 0;
    for (const char* k : {"origin", "reflector", "peer"}) sum += src.value(k, uint64_t{0});
    if (sum > 0 && fetching()) reported_mid_fetch = sum;
  }
  INFO("mid-fetch bytes reported: " << reported_mid_fetch);
  CHECK(reported_mid_fetch > 0);
  CHECK(reported_mid_fetch < 370'000);
  while (!seeding(d, ref) && std::chrono::steady_clock::now() < deadline) d.step(50);
  REQUIRE(seeding(d, ref));
  // Done: every byte counted once, not twice (in progress + finished).
  // The layer's wire bytes (compressed bins at their size, issue #16): what
  // the reflector's payload holds.
  uint64_t layer_bytes = 0;
  const std::string held = f.tmp.path() + "/cache/layers/" + d.core().cache().at(ref).info_hash + "/payload";
  for (const auto& e : std::filesystem::recursive_directory_iterator(held))
    if (e.is_regular_file()) layer_bytes += e.file_size();
  REQUIRE(layer_bytes > 0);
  CHECK(d.bytes_by_source().total() >= layer_bytes);
  CHECK(d.bytes_by_source().total() < 2 * layer_bytes);
}

TEST_CASE("a reflector pinned to the wrong tracker key refuses the manifest and seeds nothing") {
  Fixture f;
  f.assign_to_endpoint();
  auto cfg = f.reflector_config();
  cfg.tracker_public_key = public_key_hex(SecretKey::generate().public_key());
  auto driver = reflector::ReflectorDriver::create(cfg, f.clock);
  REQUIRE(driver.ok());
  auto& d = **driver;
  REQUIRE(d.register_or_heartbeat().ok());
  const LayerRef ref{"base", 1};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    d.step(20);
    auto it = d.core().cache().find(ref);
    if (it != d.core().cache().end() && !it->second.last_error.empty()) break;
  }
  auto it = d.core().cache().find(ref);
  REQUIRE(it != d.core().cache().end());
  CHECK(it->second.state == reflector::CacheState::waiting_retry);
  CHECK(it->second.last_error.find("manifest of base@1") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(f.tmp.path() + "/cache/layers/" + it->second.info_hash + "/payload"));
}

TEST_CASE("when the assignment moves to a new layer that does not fit next to the old one the old one is evicted") {
  Fixture f;
  std::map<std::string, std::string> files2 = {{"usr/lib/big.bin", random_text(300'000, 9)},
                                               {"usr/lib/other.bin", random_text(70'000, 10)}};
  std::string dir2 = test::make_layer_dir(f.tmp.path(), "base@2", files2);
  REQUIRE(f.admin->admin_json("POST", "/api/v1/layers/import", {{"dir", dir2}}).ok());
  f.assign_to_endpoint();
  auto [t1, torrent1] = f.trusted_layer("base@1");
  auto [t2, torrent2] = f.trusted_layer("base@2");
  auto cfg = f.reflector_config();
  cfg.quota_bytes = 600'000;  // one layer (~370 kB) fits, two do not
  auto driver = reflector::ReflectorDriver::create(cfg, f.clock);
  REQUIRE(driver.ok());
  auto& d = **driver;
  REQUIRE(d.register_or_heartbeat().ok());
  const LayerRef r1{"base", 1}, r2{"base", 2};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!seeding(d, r1) && std::chrono::steady_clock::now() < deadline) {
    d.step(50);
  }
  REQUIRE(seeding(d, r1));
  std::string dir1 = f.tmp.path() + "/cache/layers/" + d.core().cache().at(r1).info_hash;
  CHECK(std::filesystem::exists(dir1 + "/payload"));

  REQUIRE(f.admin->admin_json("PUT", "/api/v1/assignments/endpoint/" + f.endpoint_id, {{"stack", {"base@2"}}}).ok());
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!seeding(d, r2) && std::chrono::steady_clock::now() < deadline) {
    d.step(50);
  }
  REQUIRE(seeding(d, r2));
  CHECK(d.core().cache().count(r1) == 0);
  CHECK_FALSE(std::filesystem::exists(dir1));
  CHECK(d.core().cache_bytes() <= cfg.quota_bytes);
  std::string p2 = f.tmp.path() + "/cache/layers/" + d.core().cache().at(r2).info_hash + "/payload";
  auto l2 = load_layer_dir(dir2);
  REQUIRE(l2.ok());
  auto m2 = l2->peek();
  REQUIRE(m2.ok());
  for (const auto& [path, content] : files2) CHECK(payload_file(*m2, p2, path) == content);
}

TEST_CASE("a restarted reflector finds its cached layer on disk and seeds it again without any source") {
  Fixture f;
  f.assign_to_endpoint();
  auto [trusted, torrent] = f.trusted_layer();
  const LayerRef ref{"base", 1};
  auto cfg = f.reflector_config();
  {
    auto driver = reflector::ReflectorDriver::create(cfg, f.clock);
    REQUIRE(driver.ok());
    REQUIRE((*driver)->register_or_heartbeat().ok());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (!seeding(**driver, ref) && std::chrono::steady_clock::now() < deadline) {
      (*driver)->step(50);
    }
    REQUIRE(seeding(**driver, ref));
  }
  auto again = reflector::ReflectorDriver::create(cfg, f.clock);
  REQUIRE_MESSAGE(again.ok(), again.status().to_string());
  REQUIRE((*again)->register_or_heartbeat().ok());  // already registered: heartbeat path
  // The manifest and torrent come from the tracker; once the layer is in the
  // swarm, the tracker and its origin go: what follows is the disk alone.
  auto added = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!(*again)->core().cache().count(ref) && std::chrono::steady_clock::now() < added) (*again)->step(20);
  REQUIRE((*again)->core().cache().count(ref) == 1);
  REQUIRE(f.proc.stop() == 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!seeding(**again, ref) && std::chrono::steady_clock::now() < deadline) (*again)->step(50);
  CHECK(seeding(**again, ref));
}

TEST_CASE("two reflectors in one branch both cache the layer and one survives the other's death") {
  Fixture f;
  f.assign_to_endpoint();
  auto [trusted, torrent] = f.trusted_layer();
  const LayerRef ref{"base", 1};
  auto cfg_a = f.reflector_config();
  auto cfg_b = cfg_a;
  cfg_b.identity_key_file = f.tmp.path() + "/reflector-b.key";
  test::write_file(cfg_b.identity_key_file, SecretKey::generate().to_hex(), 0600);
  cfg_b.cache_dir = f.tmp.path() + "/cache-b";
  auto tok = f.admin->admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "reflector"}, {"branch", "hq"}});
  REQUIRE(tok.ok());
  cfg_b.registration_token = (*tok)["token"];
  auto a = reflector::ReflectorDriver::create(cfg_a, f.clock);
  auto b = reflector::ReflectorDriver::create(cfg_b, f.clock);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE((*a)->register_or_heartbeat().ok());
  REQUIRE((*b)->register_or_heartbeat().ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!(seeding(**a, ref) && seeding(**b, ref)) && std::chrono::steady_clock::now() < deadline) {
    (*a)->step(20);
    (*b)->step(20);
  }
  REQUIRE(seeding(**a, ref));
  REQUIRE(seeding(**b, ref));
  a->reset();       // reflector a dies
  REQUIRE(f.proc.stop() == 0);  // and the origin is gone too (with the tracker)
  auto peer = f.node("peer");
  std::string peer_dir = f.tmp.path() + "/peer-payload";
  REQUIRE(peer->add_layer(trusted, torrent, peer_dir, LayerMode::download).ok());
  REQUIRE(peer->add_peer(ref, "127.0.0.1", (*b)->listen_port()).ok());
  bool complete = false;
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!complete && std::chrono::steady_clock::now() < deadline) {
    (*b)->step(20);
    for (auto& ev : peer->poll_events(50))
      if (std::holds_alternative<LayerComplete>(ev)) complete = true;
  }
  CHECK(complete);
  CHECK(seeding(**b, ref));
}

TEST_CASE("a reload with a lower quota evicts the unassigned layer at once; a config that does not load changes nothing") {
  Fixture f;
  std::string dir2 = test::make_layer_dir(f.tmp.path(), "base@2", {{"usr/lib/big.bin", random_text(300'000, 11)}});
  REQUIRE(f.admin->admin_json("POST", "/api/v1/layers/import", {{"dir", dir2}}).ok());
  f.assign_to_endpoint();
  auto cfg = f.reflector_config();
  cfg.quota_bytes = 10'000'000;  // both layers fit
  auto driver = reflector::ReflectorDriver::create(cfg, f.clock);
  REQUIRE(driver.ok());
  auto& d = **driver;
  REQUIRE(d.register_or_heartbeat().ok());
  const LayerRef r1{"base", 1}, r2{"base", 2};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!seeding(d, r1) && std::chrono::steady_clock::now() < deadline) d.step(50);
  REQUIRE(seeding(d, r1));
  REQUIRE(f.admin->admin_json("PUT", "/api/v1/assignments/endpoint/" + f.endpoint_id, {{"stack", {"base@2"}}}).ok());
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!seeding(d, r2) && std::chrono::steady_clock::now() < deadline) d.step(50);
  REQUIRE(seeding(d, r2));
  REQUIRE(d.core().cache().count(r1) == 1);  // unassigned but kept: the quota had room
  const std::string dir1 = f.tmp.path() + "/cache/layers/" + d.core().cache().at(r1).info_hash;

  d.set_reload_source([] { return Result<reflector::ReflectorConfig>(Status::invalid_argument("line 3: bad")); });
  d.request_reload();
  d.step(20);
  CHECK(d.core().quota_bytes() == 10'000'000);
  CHECK(d.core().cache().count(r1) == 1);

  auto lower = cfg;
  lower.quota_bytes = d.core().cache().at(r2).bytes + 1000;  // base@2 only
  d.set_reload_source([lower] { return Result<reflector::ReflectorConfig>(lower); });
  d.request_reload();
  d.step(20);
  CHECK(d.core().quota_bytes() == lower.quota_bytes);
  CHECK(d.core().cache().count(r1) == 0);
  CHECK_FALSE(std::filesystem::exists(dir1));
  CHECK(seeding(d, r2));
}
