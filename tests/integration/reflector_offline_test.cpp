// A reflector restarted while the tracker is down (the real driver, in this
// process, against the real bc-tracker process): it carries on from the
// desired state it saved, seeds what it holds, refuses what was altered on
// disk, and polls again once the tracker is back.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include "tests/integration/support/reflector_fixture.hpp"

using namespace bc;
using namespace bc::tracker;
using namespace bc::test::reflector_it;
using nlohmann::json;

TEST_CASE("a reflector restarted while the tracker is down carries on from its saved state, seeds a peer, and polls again once the tracker is back") {
  Fixture f("", test::free_tcp_port());
  f.assign_to_endpoint();
  auto [trusted, torrent] = f.trusted_layer();
  const LayerRef ref{"base", 1};
  auto cfg = f.reflector_config();
  cache_then_stop(f, cfg, ref);
  REQUIRE(f.proc.stop() == 0);
  auto again = reflector::ReflectorDriver::create(cfg, f.clock);
  REQUIRE_MESSAGE(again.ok(), again.status().to_string());
  auto& d = **again;
  CHECK(d.register_or_heartbeat().code() == Status::Code::unavailable);
  REQUIRE_MESSAGE(d.resume_from_saved().ok(), "no saved desired state");
  REQUIRE(d.core().desired().size() == 1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!seeding(d, ref) && std::chrono::steady_clock::now() < deadline) d.step(50);
  REQUIRE(seeding(d, ref));  // from the disk alone: the tracker is down

  // A peer gets every byte from it, and the serving counts as use (eviction).
  peer_fetches_every_byte(f, d, trusted, torrent);
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (d.core().cache().at(ref).last_served_ms < 0 && std::chrono::steady_clock::now() < deadline) d.step(50);
  CHECK(d.core().cache().at(ref).last_served_ms >= 0);

  // The tracker comes back on its port: the reflector heartbeats and polls
  // again, and a layer assigned now is prefetched.
  REQUIRE(f.proc.start() == f.port);
  REQUIRE(d.register_or_heartbeat().ok());
  const std::string dir2 = test::make_layer_dir(f.tmp.path(), "tools@1", {{"usr/bin/tool", random_text(50'000, 9)}});
  REQUIRE(f.admin->admin_json("POST", "/api/v1/layers/import", {{"dir", dir2}}).ok());
  REQUIRE(f.admin->admin_json("PUT", "/api/v1/assignments/endpoint/" + f.endpoint_id,
                              {{"stack", {"base@1", "tools@1"}}}).ok());
  const LayerRef ref2{"tools", 1};
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!seeding(d, ref2) && std::chrono::steady_clock::now() < deadline) d.step(50);
  CHECK(seeding(d, ref2));
  CHECK(seeding(d, ref));
}

TEST_CASE("a reflector restarted while the tracker is down refuses a held manifest altered on disk") {
  Fixture f;
  f.assign_to_endpoint();
  const LayerRef ref{"base", 1};
  auto cfg = f.reflector_config();
  const std::string info_hash = cache_then_stop(f, cfg, ref);
  REQUIRE(f.proc.stop() == 0);
  const std::string manifest = cfg.cache_dir + "/layers/" + info_hash + "/manifest.json";
  std::string bytes = test::read_file(manifest);
  bytes[bytes.size() / 2] ^= 0x01;
  std::filesystem::remove(manifest);
  test::write_file(manifest, bytes);
  auto again = reflector::ReflectorDriver::create(cfg, f.clock);
  REQUIRE(again.ok());
  auto& d = **again;
  REQUIRE(d.resume_from_saved().ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((!d.core().cache().count(ref) || d.core().cache().at(ref).last_error.empty()) &&
         std::chrono::steady_clock::now() < deadline)
    d.step(50);
  REQUIRE(d.core().cache().count(ref) == 1);
  const auto& c = d.core().cache().at(ref);
  CHECK(c.state == reflector::CacheState::waiting_retry);
  CHECK_MESSAGE(c.last_error.find("does not verify against the pinned tracker key") != std::string::npos, c.last_error);
  CHECK_FALSE(seeding(d, ref));
}
