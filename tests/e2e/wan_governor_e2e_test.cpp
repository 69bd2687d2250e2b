// The WAN governor with real parts (label e2e): the real bc-tracker process
// with its origin seed and RTT echo responder, and the real reflector driver
// (in this process, so its WAN byte counter can be read exactly) prefetching
// from the origin over the WAN class under a branch wan_policy with a hard
// download cap. Proves the cap holds and that a policy change through the API
// takes effect within a second; and that a new version assigned mid-fetch
// moves only its changed pieces.
#include <doctest/doctest.h>

#include <chrono>

#include "layers/diff/layer_diff.hpp"
#include "layers/model/layer_dir.hpp"
#include "reflector/agent/reflector_driver.hpp"
#include "tests/e2e/rollout_checks.hpp"
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

// The branch "east"'s reflector, enrolled and registered, in this process so
// its WAN byte counter can be read exactly (a failed REQUIRE ends the test).
std::unique_ptr<reflector::ReflectorDriver> east_reflector(RolloutWorld& w, const Clock& clock) {
  auto tok = w.admin().admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "reflector"}, {"branch", "east"}});
  REQUIRE(tok.ok());
  reflector::ReflectorConfig c;
  c.tracker_url = w.tracker_url();
  c.tracker_ca_file = w.tracker().ca_file();
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
  auto driver = reflector::ReflectorDriver::create(c, clock);
  REQUIRE_MESSAGE(driver.ok(), driver.status().to_string());
  REQUIRE((*driver)->register_or_heartbeat().ok());
  return std::move(*driver);
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

  SystemClock clock;
  auto driver = east_reflector(w, clock);
  reflector::ReflectorDriver& d = *driver;
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

// A new version assigned while the reflector is still fetching the old one
// (a slow branch link, an administrator who does not wait): the reflector
// finishes the old one and fetches only the new version's changed pieces,
// so the branch's WAN carries about one copy of base plus the change, not
// two copies.
TEST_CASE("a base update assigned while the reflector is mid-fetch of the old version moves only the changed pieces on top of it") {
  WorldOptions o;
  o.branches = {{"east", 0, 0}};
  RolloutWorld w(o);
  constexpr int64_t kCap = 2 << 20;  // 2 MiB/s: base@1 (~13.6 MB) takes ~7 s
  REQUIRE(w.admin().admin_json("PUT", "/api/v1/branches/east",
                               {{"subnets", {"127.1.0.0/16"}}, {"wan_policy", cap_policy(kCap)}}).ok());
  const std::string base1 = w.dir() + "/tree-base1", base2 = w.dir() + "/tree-base2";
  (void)make_base_tree(base1);
  const std::string base1_dir = w.publish(base1, "base", 1, "base");
  // What base@1's torrent carries (compressed bins at their wire size).
  const uint64_t base_bytes = payload_bytes({base1_dir});
  make_base_v2(base1, base2);
  const std::string base2_dir = w.publish(base2, "base", 2, "base");
  auto l1 = load_layer_dir(base1_dir), l2 = load_layer_dir(base2_dir);
  REQUIRE((l1.ok() && l2.ok()));
  auto m1 = l1->peek(), m2 = l2->peek();
  auto t1 = read_layer_torrent(l1->torrent), t2 = read_layer_torrent(l2->torrent);
  REQUIRE((m1.ok() && m2.ok() && t1.ok() && t2.ok()));
  const uint64_t differing = diff_layers(*m1, &*t1, *m2, &*t2).bytes_to_move;
  REQUIRE(differing > 0);
  w.assign_branch("east", {"base@1"});

  SystemClock clock;
  auto driver = east_reflector(w, clock);
  reflector::ReflectorDriver& d = *driver;
  const LayerRef v1{"base", 1}, v2{"base", 2};
  auto state_of = [&](const LayerRef& ref) -> std::string {
    auto it = d.core().cache().find(ref);
    return it == d.core().cache().end() ? "absent" : to_string(it->second.state);
  };
  // base@2 is assigned once base@1 is under way and far from done.
  const auto start = steady::now();
  while (d.wan_bytes().down < base_bytes / 5 && seconds_since(start) < 60) d.step(20);
  REQUIRE_MESSAGE(d.wan_bytes().down >= base_bytes / 5, w.logs_tail());
  REQUIRE(state_of(v1) == "downloading");
  const uint64_t at_assign = d.wan_bytes().down;
  w.assign_branch("east", {"base@2"});
  while (state_of(v2) != "complete" && seconds_since(start) < 120) d.step(50);
  REQUIRE_MESSAGE(state_of(v2) == "complete", w.logs_tail());
  CHECK(state_of(v1) == "complete");  // finished, then used as the delta's base
  const uint64_t moved = d.wan_bytes().down;
  // The node's counter is payload (no block padding), like base_bytes.
  MESSAGE("base@2 assigned at " << at_assign << " of base@1's " << base_bytes << " bytes; the WAN carried " << moved
                                << " bytes in all = base@1 + " << double(moved) - double(base_bytes) << " for "
                                << differing << " differing bytes of pieces");
  CHECK(moved <= uint64_t(1.02 * double(base_bytes) + 1.1 * double(differing)));
}
