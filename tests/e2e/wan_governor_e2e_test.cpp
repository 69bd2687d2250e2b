// The WAN governor with real parts (label e2e): the real bc-tracker with its
// origin seed and RTT echo responder, a bc-reflector process prefetching from
// the origin over the WAN class, a branch wan_policy with a hard download cap.
// Proves the cap holds on the reflector's WAN download, and that a policy
// change through the API takes effect within seconds.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "tests/e2e/rollout_world.hpp"

using namespace bc;
using namespace bc::test;
using nlohmann::json;

namespace {

struct Rates {
  double origin = 0;     // the origin's payload upload counter (/metrics)
  double reflector = 0;  // the reflector's verified bytes (its status reports)
};

double slope(const std::vector<std::pair<double, double>>& pts) {
  double mt = 0, mb = 0;
  for (auto [t, b] : pts) mt += t, mb += b;
  mt /= double(pts.size());
  mb /= double(pts.size());
  double num = 0, den = 0;
  for (auto [t, b] : pts) num += (t - mt) * (b - mb), den += (t - mt) * (t - mt);
  return den > 0 ? num / den : 0;
}

double reflector_done(RolloutWorld& w) {
  json r = w.reported(*w.reflectors("east")[0]);
  if (!r.is_object() || !r.contains("layers") || r["layers"].empty()) return 0;
  return r["layers"][0].value("bytes_done", 0.0);
}

// Rates (bytes/s) over window_ms: least-squares slopes of byte counters
// sampled every 250 ms. libtorrent updates the origin's counter once a second
// and the reflector reports every 500 ms in whole pieces, so the slope over
// many samples is steadier than two end points.
Rates rates(RolloutWorld& w, int window_ms) {
  std::vector<std::pair<double, double>> origin, refl;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    origin.emplace_back(t, double(w.origin_upload_bytes()));
    refl.emplace_back(t, reflector_done(w));
    if (t * 1000 >= window_ms) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));  // a sampling period, not a wait for an outcome
  }
  return {slope(origin), slope(refl)};
}

json cap_policy(int64_t down_bytes_per_s) {
  return {{"schema", 1}, {"default", {{"download", {{"bytes_per_s", down_bytes_per_s}}}}}};
}

}  // namespace

TEST_CASE("a branch's hard WAN cap holds on the reflector's origin download, and a policy change applies in seconds") {
  WorldOptions o;
  o.branches = {{"east", 1, 1}};
  o.probe = true;
  RolloutWorld w(o);
  constexpr int64_t kCap = 1 << 20;  // 1 MiB/s
  REQUIRE(w.admin().admin_json("PUT", "/api/v1/branches/east",
                               {{"subnets", {"127.1.0.0/16"}}, {"wan_policy", cap_policy(kCap)}}).ok());
  const std::string tree = w.dir() + "/tree";
  write_file(tree + "/var/lib/images/disk.img", random_bytes(40u << 20, 61));
  write_file(tree + "/etc/motd", "governed\n");
  w.publish(tree, "base", 1, "base");
  w.assign_branch("east", {"base@1"});
  w.start_all();

  // Slow start from 64 KiB/s reaches the cap in a few seconds.
  REQUIRE_MESSAGE(RolloutWorld::eventually([&] { return w.origin_upload_bytes() > (3u << 20); }, 60'000),
                  w.logs_tail());
  const Rates c = rates(w, 10'000);
  const double capped = c.reflector;  // the origin's counter is coarser (see rates())
  MESSAGE("at a 1 MiB/s cap, over 10 s: reflector verified " << c.reflector / (1 << 20) << " MiB/s, origin sent "
                                                               << c.origin / (1 << 20) << " MiB/s");
  CHECK(capped <= 1.10 * double(kCap));
  CHECK(capped >= 0.90 * double(kCap));

  // Halve the cap through the API: the reflector's 300 ms desired-state poll
  // and 200 ms governor tick apply it; allow 3 s, then measure.
  constexpr int64_t kLower = 512 * 1024;
  REQUIRE(w.admin().admin_json("PUT", "/api/v1/branches/east",
                               {{"subnets", {"127.1.0.0/16"}}, {"wan_policy", cap_policy(kLower)}}).ok());
  std::this_thread::sleep_for(std::chrono::seconds(3));  // the allowance under test, not a wait for an outcome
  const Rates l = rates(w, 10'000);
  const double lowered = l.reflector;
  MESSAGE("at 512 KiB/s, over 10 s: reflector verified " << l.reflector / (1 << 20) << " MiB/s, origin sent "
                                                          << l.origin / (1 << 20) << " MiB/s");
  CHECK(lowered <= 1.10 * double(kLower));
  CHECK(lowered >= 0.90 * double(kLower));

  // The reflector logged the governor's changes (not every tick) and probed.
  const std::string log = read_file(w.reflectors("east")[0]->log());
  std::string lines;
  for (size_t at = log.find("wan governor"), n = 0; at != std::string::npos && n < 20; at = log.find("wan governor", at + 1), ++n)
    lines += log.substr(at, log.find('\n', at) - at) + "\n";
  MESSAGE("the reflector's governor lines:\n" << lines);
  CHECK(log.find("wan governor: limits down 1024 KiB/s") != std::string::npos);
  CHECK(log.find("wan governor: limits down 512 KiB/s") != std::string::npos);
  CHECK(log.find("queuing delay -1.0 ms") == std::string::npos);  // RTT samples arrived
}
