// The origin serves the fleet (issue #17): with more downloaders than
// libtorrent's unchoke slots (8), every one of them receives bytes from the
// origin within seconds and none starves, while the origin's upload cap holds.
// Real libtorrent sessions on loopback: one OriginSeeder (the origin's own
// settings) and N reflector-like nodes, each on its own address and connected
// to the origin only, so every byte a node holds came from the origin.
//
// BC_ORIGIN_FAIRNESS_BENCH=1 adds the measured case of docs/benchmarks.md
// ("Origin fairness and reflector liveness"): N = 4, 8, 16, the origin with
// and without its slots ignored.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tracker/origin/origin_seeder.hpp"

namespace bc::tracker {
namespace {

using bc::test::TmpDir;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct FairnessRun {
  std::vector<double> first_byte_s;  // per node, since the peers were added; < 0: never
  std::vector<uint64_t> window_bytes;  // per node, bytes received in [window_from_s, window_to_s)
  double window_s = 0;
  double total_rate = 0;  // bytes/s over the window, all nodes
  double min_share() const { return double(*std::min_element(window_bytes.begin(), window_bytes.end())); }
  double max_share() const { return double(*std::max_element(window_bytes.begin(), window_bytes.end())); }
};

uint64_t received(SwarmNode& node, const LayerRef& ref) {
  auto st = node.layer_status(ref);
  return st.ok() ? st->downloaded.total() : 0;
}

// N nodes fetch one layer from an origin capped at `cap` bytes/s. The origin
// is the OriginSeeder, or, with `fixed_slots`, a plain seed with libtorrent's
// 8 fixed unchoke slots (the origin before #17), for the comparison.
FairnessRun run_fairness(int n, int64_t cap, bool fixed_slots, double from_s = 2, double to_s = 8) {
  TmpDir tmp;
  const std::string src = tmp / "src";
  bc::test::write_file(src + "/disk.img", bc::test::random_bytes(size_t(cap * (to_s + 6)), 7));
  auto layer = bc::test::capture_test_layer(src, LayerRef{"base", 1}, 64 * 1024);
  std::unique_ptr<OriginSeeder> seeder;
  std::unique_ptr<SwarmNode> plain;
  uint16_t origin_port = 0;
  if (!fixed_slots) {
    OriginOptions o;
    o.enabled = true;
    o.insecure_plain_peers = true;  // plain test torrents (SSL swarms: tests/layers/swarm/swarm_ssl_test.cpp)
    o.state_dir = tmp / "origin-swarm";
    o.listen = "127.0.2.100:0";
    o.upload_limit_bytes_per_s = cap;
    auto s = OriginSeeder::start(o);
    REQUIRE_MESSAGE(s.ok(), s.status().to_string());
    seeder = std::move(*s);
    REQUIRE(seeder->publish(layer.trusted, layer.torrent, src).ok());
    seeder->flush();
    origin_port = seeder->listen_port();
  } else {
    plain = bc::test::start_plain_node(tmp / "origin-swarm", "127.0.2.100", [&](SwarmNodeOptions& s) {
      s.wan_upload_bytes_per_s = cap;
      s.outgoing_utp = false;
    });
    REQUIRE(plain->add_layer(layer.trusted, layer.torrent, src, LayerMode::seed).ok());
    origin_port = plain->listen_port();
  }
  std::vector<std::unique_ptr<SwarmNode>> nodes;
  for (int i = 0; i < n; ++i) {
    const std::string ip = "127.0.2." + std::to_string(i + 1);
    nodes.push_back(bc::test::start_plain_node(tmp / ("node" + std::to_string(i)), ip,
                                               [](SwarmNodeOptions& s) { s.outgoing_utp = false; }));
    REQUIRE(nodes.back()->add_layer(layer.trusted, layer.torrent, tmp / ("payload" + std::to_string(i)),
                                    LayerMode::download).ok());
  }
  const auto t0 = Clock::now();
  for (auto& node : nodes) REQUIRE(node->add_peer(layer.ref(), "127.0.2.100", origin_port).ok());
  FairnessRun r;
  r.first_byte_s.assign(size_t(n), -1);
  std::vector<uint64_t> at_from(size_t(n), 0);
  bool from_taken = false;
  for (;;) {
    if (plain) plain->poll_events(0);
    const double t = std::chrono::duration<double>(Clock::now() - t0).count();
    for (int i = 0; i < n; ++i) {
      nodes[size_t(i)]->poll_events(0);
      if (r.first_byte_s[size_t(i)] < 0 && received(*nodes[size_t(i)], layer.ref()) > 0) r.first_byte_s[size_t(i)] = t;
    }
    if (!from_taken && t >= from_s) {
      for (int i = 0; i < n; ++i) at_from[size_t(i)] = received(*nodes[size_t(i)], layer.ref());
      from_taken = true;
    }
    if (t >= to_s) {
      r.window_s = t - from_s;
      uint64_t sum = 0;
      for (int i = 0; i < n; ++i) {
        r.window_bytes.push_back(received(*nodes[size_t(i)], layer.ref()) - at_from[size_t(i)]);
        sum += r.window_bytes.back();
      }
      r.total_rate = double(sum) / r.window_s;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return r;
}

std::string describe(const FairnessRun& r, int64_t cap) {
  double last_first = *std::max_element(r.first_byte_s.begin(), r.first_byte_s.end());
  bool never = std::any_of(r.first_byte_s.begin(), r.first_byte_s.end(), [](double v) { return v < 0; });
  std::string s = "last first byte " + (never ? std::string("never") : std::to_string(last_first)) + " s; min/max share " +
                  std::to_string(r.min_share() / std::max(1.0, r.max_share())) + "; rate/cap " +
                  std::to_string(r.total_rate / double(cap)) + "; window bytes:";
  for (uint64_t b : r.window_bytes) s += " " + std::to_string(b >> 10) + "K";
  return s;
}

TEST_CASE("the origin serves 12 downloaders at once: each has bytes within 3 s, none starves, the cap holds") {
  const int64_t cap = 4 << 20;
  FairnessRun r = run_fairness(12, cap, /*fixed_slots=*/false);
  MESSAGE(describe(r, cap));
  for (size_t i = 0; i < r.first_byte_s.size(); ++i) {
    CHECK_MESSAGE(r.first_byte_s[i] >= 0, "node " << i << " never received a byte");
    CHECK_MESSAGE(r.first_byte_s[i] <= 3.0, "node " << i << " waited " << r.first_byte_s[i] << " s");
  }
  // Equal shares per peer, within what libtorrent's per-tick quota and a
  // loaded 2-core machine give: the smallest share is at least half the largest.
  CHECK(r.min_share() >= 0.5 * r.max_share());
  // The cap over 6 s (the window starts after the first 2 s: no quota banked).
  CHECK(r.total_rate <= 1.05 * double(cap));
  CHECK(r.total_rate >= 0.80 * double(cap));
}

TEST_CASE("origin fairness figures for docs/benchmarks.md (BC_ORIGIN_FAIRNESS_BENCH=1)") {
  if (!std::getenv("BC_ORIGIN_FAIRNESS_BENCH")) return;
  const int64_t cap = 4 << 20;
  for (bool fixed : {false, true})
    for (int n : {4, 8, 16}) {
      FairnessRun r = run_fairness(n, cap, fixed);
      MESSAGE(std::string(fixed ? "fixed 8 slots" : "origin (slots ignored)") << ", N=" << n << ": " << describe(r, cap));
    }
}

}  // namespace
}  // namespace bc::tracker
