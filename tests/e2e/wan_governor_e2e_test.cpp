// The WAN governor with real parts (label e2e): the real bc-tracker process
// with its origin seed and RTT echo responder, and the real reflector driver
// (in this process, so its WAN byte counter can be read exactly) prefetching
// from the origin over the WAN class under a branch wan_policy with a hard
// download cap. Proves the cap holds and that a policy change through the API
// takes effect within a second.
#include <doctest/doctest.h>

#include <chrono>

#include "reflector/agent/reflector_driver.hpp"
#include "tests/e2e/rollout_world.hpp"

using namespace bc;
using namespace bc::test;
using nlohmann::json;
using steady = std::chrono::steady_clock;

namespace {

json cap_policy(int64_t down_bytes_per_s) {
  return {{"schema", 1}, {"default", {{"download", {{"bytes_per_s", down_bytes_per_s}}}}}};
}

double seconds_since(steady::time_point t) { return std::chrono::duration<double>(steady::now() - t).count(); }

// libtorrent's rate limiter lets unused quota build up to 3 s of the limit
// (bandwidth_channel::update_quota), spent as a burst: over a window of T
// seconds a capped transfer can move up to limit x (T + 3 s), and no more.
// That is the upper bound checked (+15% over 20 s windows); measured runs are
// within about ±10% (docs/benchmarks.md). Below the cap, libtorrent under-
// delivers at times on this loaded 2-core machine (swarm_limits_test saw the
// same), so the lower bound only says the transfer was not stalled.
constexpr double kWindowS = 20;
constexpr double kBurstBound = 1.0 + 3.0 / kWindowS;
constexpr double kNotStalled = 0.75;

// Steps the driver for `seconds` and returns its WAN download rate (bytes/s)
// over that time, from the swarm node's exact byte counter.
double wan_rate(reflector::ReflectorDriver& d, double seconds) {
  const auto t0 = steady::now();
  const uint64_t b0 = d.wan_bytes().down;
  while (seconds_since(t0) < seconds) d.step(50);
  return double(d.wan_bytes().down - b0) / seconds_since(t0);
}

}  // namespace

TEST_CASE("a branch's hard WAN cap holds on the reflector's origin download, and a policy change applies within a second") {
  WorldOptions o;
  o.branches = {{"east", 0, 0}};  // the reflector below is the branch's only node
  o.probe = true;
  RolloutWorld w(o);
  constexpr int64_t kCap = 1 << 20;  // 1 MiB/s
  REQUIRE(w.admin().admin_json("PUT", "/api/v1/branches/east",
                               {{"subnets", {"127.1.0.0/16"}}, {"wan_policy", cap_policy(kCap)}}).ok());
  const std::string tree = w.dir() + "/tree";
  write_file(tree + "/var/lib/images/disk.img", random_bytes(64u << 20, 61));
  write_file(tree + "/etc/motd", "governed\n");
  w.publish(tree, "base", 1, "base");
  w.assign_branch("east", {"base@1"});  // a branch assignment alone makes its reflectors prefetch

  auto tok = w.admin().admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "reflector"}, {"branch", "east"}});
  REQUIRE(tok.ok());
  reflector::ReflectorConfig c;
  c.tracker_url = w.tracker_url();
  c.identity_key_file = w.dir() + "/east-r1.key";
  write_file(c.identity_key_file, SecretKey::generate().to_hex() + "\n", 0600);
  c.tracker_public_key = w.tracker_public_key();
  c.registration_token = (*tok)["token"].get<std::string>();
  c.branch = "east";
  c.address = "127.1.0.1";
  c.cache_dir = w.dir() + "/east-r1";
  c.quota_bytes = uint64_t(1) << 30;
  c.listen = "127.1.0.1:0";  // the origin (127.0.0.100) is outside 127.1/16: WAN class
  c.poll_interval_ms = 300;
  c.heartbeat_interval_ms = 500;
  SystemClock clock;
  auto driver = reflector::ReflectorDriver::create(c, clock);
  REQUIRE_MESSAGE(driver.ok(), driver.status().to_string());
  reflector::ReflectorDriver& d = **driver;
  REQUIRE(d.register_or_heartbeat().ok());
  REQUIRE(d.governor() != nullptr);
  CHECK(d.governor()->probing());  // probe_port came with the desired state

  // Slow start from 64 KiB/s reaches the cap within seconds (bounded wait).
  const auto start = steady::now();
  while (d.wan_bytes().down < (3u << 20) && seconds_since(start) < 60) d.step(50);
  REQUIRE_MESSAGE(d.wan_bytes().down >= (3u << 20), w.logs_tail());
  CHECK(d.governor()->applied()->first == kCap);
  const double capped = wan_rate(d, kWindowS);
  MESSAGE("WAN download at a 1 MiB/s cap, over 20 s: " << capped / (1 << 20) << " MiB/s");
  CHECK(capped <= kBurstBound * double(kCap));
  CHECK(capped >= kNotStalled * double(kCap));

  // Halve the cap through the API: applied at the next desired-state poll
  // (300 ms) and governor tick (200 ms).
  constexpr int64_t kLower = 512 * 1024;
  const auto put_at = steady::now();
  REQUIRE(w.admin().admin_json("PUT", "/api/v1/branches/east",
                               {{"subnets", {"127.1.0.0/16"}}, {"wan_policy", cap_policy(kLower)}}).ok());
  while (d.governor()->applied()->first != kLower && seconds_since(put_at) < 10) d.step(20);
  const double took_s = seconds_since(put_at);
  MESSAGE("the new cap was applied " << took_s * 1000 << " ms after the PUT");
  CHECK(took_s < 1.0);
  wan_rate(d, 3);  // let quota granted at the old rate (up to 3 s of the new one) drain
  const double lowered = wan_rate(d, kWindowS);
  MESSAGE("WAN download at 512 KiB/s, over 20 s: " << lowered / (1 << 20) << " MiB/s");
  CHECK(lowered <= kBurstBound * double(kLower));
  CHECK(lowered >= kNotStalled * double(kLower));
}
