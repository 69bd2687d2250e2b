// The origin seed with real libtorrent sessions on loopback: a node downloads
// a layer from the OriginSeeder (upload cap respected), and from a BEP 19 web
// seed alone (a Range-capable HTTP server over the origin store).
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tests/tracker/origin/range_file_server.hpp"
#include "tracker/origin/origin_seeder.hpp"

namespace bc::tracker {
namespace {

using bc::test::TmpDir;
namespace fs = std::filesystem;

// Captures `files` (path -> content) and moves the tree to origin/<info_hash>,
// the importer's layout.
bc::test::TestLayer origin_layer(const TmpDir& tmp, const std::vector<std::pair<std::string, std::string>>& files,
                                 const std::string& name) {
  std::string src = tmp / ("src-" + name);
  for (const auto& [path, content] : files) bc::test::write_file(src + "/" + path, content);
  auto layer = bc::test::capture_test_layer(src, LayerRef{name, 1}, 64 * 1024);
  std::string dir = tmp / ("origin/" + layer.manifest().info_hash);
  fs::create_directories(tmp / "origin");
  fs::rename(src, dir);
  layer.source_dir = dir;
  return layer;
}

// LayerComplete (libtorrent's torrent_finished) can arrive before the last
// blocks leave libtorrent's store buffer for the file (seen once in ~5 runs),
// so the comparison is a bounded poll of up to 5 s.
void require_same_files(const bc::test::TestLayer& layer, const std::string& dir) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (const auto& e : layer.manifest().payload_files()) {  // bins of packed files included
    std::string want = bc::test::read_file(layer.source_dir + "/" + e.path), got;
    const auto left_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    bc::test::eventually([&] { return (got = bc::test::read_file(dir + "/" + e.path)) == want; },
                         int(std::max<int64_t>(0, left_ms.count())), 20);
    CHECK_MESSAGE(got == want, e.path << ": " << got.size() << " bytes, want " << want.size());
  }
}

bool download(SwarmNode& node, const LayerRef& ref, int timeout_ms) {
  std::vector<SwarmEvent> seen;
  return bc::test::poll_until({&node}, &node, &seen,
                              [&](const SwarmEvent& e) {
                                auto* c = std::get_if<LayerComplete>(&e);
                                return c && c->layer == ref;
                              },
                              timeout_ms);
}

TEST_CASE("a node downloads a layer from the origin seed and the origin's upload cap holds") {
  TmpDir tmp;
  const int64_t cap = 4 << 20;
  auto layer = origin_layer(tmp, {{"bin/big.bin", bc::test::random_bytes(16 << 20, 1)}, {"etc/conf", "x=1\n"}},
                            "app");
  OriginOptions o;
  o.enabled = true;
  o.insecure_plain_peers = true;  // plain test torrents (SSL swarms: tests/layers/swarm/swarm_ssl_test.cpp)
  o.state_dir = tmp / "origin-swarm";
  o.listen = "127.0.0.1:0";
  o.upload_limit_bytes_per_s = cap;
  std::atomic<uint64_t> sunk{0};
  auto origin = OriginSeeder::start(o, [&](uint64_t b) { sunk += b; });
  REQUIRE_MESSAGE(origin.ok(), origin.status().to_string());
  REQUIRE((*origin)->publish(layer.trusted, layer.torrent, layer.source_dir).ok());
  (*origin)->flush();
  CHECK((*origin)->layer_count() == 1);

  auto node = bc::test::start_node(tmp / "node", "127.0.0.1", [](SwarmNodeOptions& s) {
    s.outgoing_utp = false;
    s.insecure_plain_peers = true;
  });
  REQUIRE(node->add_layer(layer.trusted, layer.torrent, tmp / "payload", LayerMode::download).ok());
  REQUIRE(node->add_peer(layer.ref(), "127.0.0.1", (*origin)->listen_port()).ok());
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(download(*node, layer.ref(), 60'000));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double rate = double(layer.manifest().total_file_bytes()) / secs;
  MESSAGE("origin upload: " << rate / (1 << 20) << " MiB/s against a cap of 4 MiB/s over " << secs << " s");
  CHECK(rate <= 1.25 * double(cap));
  require_same_files(layer, tmp / "payload");

  // The uploaded bytes reach the metrics sink (accounted every 500 ms).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (sunk.load() < layer.manifest().total_file_bytes() && std::chrono::steady_clock::now() < deadline)
    node->poll_events(100);
  CHECK(sunk.load() >= layer.manifest().total_file_bytes());
  CHECK((*origin)->uploaded_bytes() == sunk.load());

  REQUIRE((*origin)->remove(layer.ref()).ok());
  (*origin)->flush();
  CHECK((*origin)->layer_count() == 0);
}

TEST_CASE("origin options reject bad listen addresses and web seed URLs") {
  OriginOptions o;
  o.enabled = true;
  o.insecure_plain_peers = true;  // plain test torrents (SSL swarms: tests/layers/swarm/swarm_ssl_test.cpp)
  o.state_dir = "/tmp/x";
  CHECK(o.validate().ok());
  o.listen = "nowhere";
  CHECK(o.validate().code() == Status::Code::invalid_argument);
  o.listen = "127.0.0.1:0";
  o.web_seeds = {"ftp://host/origin"};
  CHECK(o.validate().code() == Status::Code::invalid_argument);
  o.web_seeds = {"http://host/origin?x=1"};
  CHECK(o.validate().code() == Status::Code::invalid_argument);
  o.web_seeds = {"http://host/origin"};
  o.upload_limit_bytes_per_s = -1;
  CHECK(o.validate().code() == Status::Code::invalid_argument);
}

void web_seed_download(const std::vector<std::pair<std::string, std::string>>& files, const std::string& name,
                       const std::string& expected_target) {
  TmpDir tmp;
  auto layer = origin_layer(tmp, files, name);
  bc::test::RangeFileServer server(tmp / "origin");
  auto node = bc::test::start_node(tmp / "node", "127.0.0.1",
                                   [&](SwarmNodeOptions& s) {
                                     s.web_seed_urls = {server.base_url() + "/"};
                                     s.insecure_plain_peers = true;
                                   });
  REQUIRE(node->add_layer(layer.trusted, layer.torrent, tmp / "payload", LayerMode::download).ok());
  bool done = download(*node, layer.ref(), 60'000);
  std::string seen;
  for (const auto& t : server.targets()) seen += t + " ";
  REQUIRE_MESSAGE(done, "web seed requests: " << seen);
  require_same_files(layer, tmp / "payload");
  CHECK(server.bytes_sent() >= layer.manifest().total_file_bytes());
  CHECK_MESSAGE(seen.find("/" + layer.manifest().info_hash + expected_target) != std::string::npos, seen);
}

TEST_CASE("a node downloads a multi-file layer from a web seed alone (no peers)") {
  web_seed_download({{"bin/big.bin", bc::test::random_bytes(3 << 20, 2)}, {"etc/conf", "x=1\n"}}, "app",
                    "/app-v1/bin/big.bin");
}

TEST_CASE("a node downloads a single-file layer from a web seed alone (no peers)") {
  web_seed_download({{"only.bin", bc::test::random_bytes(1 << 20, 3)}}, "one", "/only.bin");
}

}  // namespace
}  // namespace bc::tracker
