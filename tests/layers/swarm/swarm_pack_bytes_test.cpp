// Bytes a seed sends per byte of content, with and without packing small
// files into bins, through real libtorrent sessions on loopback: a fresh
// layer of 4 KiB files, a random-size mix, and a version 2 that rewrites some
// small files (delta from a node that holds version 1 through its content
// index). Prints the figures docs/benchmarks.md "Packing small files" records.
#include <doctest/doctest.h>

#include <random>

#include "layers/index/content_index.hpp"
#include "layers/index/prepare_payload.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using test::is;

namespace {

struct Moved {
  uint64_t content = 0;       // bytes the downloader lacked (its layer minus what it held)
  uint64_t payload_sent = 0;  // the seed's payload bytes as sent (blocks whole, padding included)
  uint64_t wire_sent = 0;     // the seed's BitTorrent bytes (payload + protocol)
};

// One seed, one downloader (TCP); the downloader's payload is prepared from
// `index` first when given.
Moved transfer(const test::TestLayer& layer, const std::string& work, const std::string& payload,
               ContentIndex* index, uint64_t content) {
  auto tcp = [](SwarmNodeOptions& o) { o.outgoing_utp = false; };
  auto seed = test::start_plain_node(work + "/seed", "127.0.0.2", tcp);
  REQUIRE(seed->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed).ok());
  auto dl = test::start_plain_node(work + "/dl", "127.0.0.3", tcp);
  if (index) REQUIRE(prepare_payload(layer.trusted, layer.facts, payload, *index).ok());
  REQUIRE(dl->add_layer(layer.trusted, layer.torrent, payload, LayerMode::download).ok());
  REQUIRE(dl->add_peer(layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE(test::poll_until({seed.get(), dl.get()}, dl.get(), &seen, is<LayerComplete>, 60'000));
  auto st = seed->layer_status(layer.ref());
  REQUIRE_MESSAGE(st.ok(), st.status().to_string());
  return {content, seed->wan_bytes().up, st->wire_uploaded_bytes};
}

void report(const char* what, const Moved& m) {
  MESSAGE(what << ": content " << m.content << " B, seed payload sent " << m.payload_sent << " B ("
               << double(m.payload_sent) / double(m.content) << "x), wire " << m.wire_sent << " B ("
               << double(m.wire_sent) / double(m.content) << "x)");
}

// 1,024 files of 4 KiB in 16 directories, plus `extra` in place.
void four_k_tree(const std::string& dir, uint64_t rewrite_seed, size_t rewrite_every) {
  for (int d = 0; d < 16; ++d)
    for (int f = 0; f < 64; ++f) {
      const size_t i = size_t(d * 64 + f);
      const bool rewritten = rewrite_every && i % rewrite_every == 0;
      test::write_file(dir + "/d" + std::to_string(d) + "/f" + std::to_string(f),
                       test::random_bytes(4096, (rewritten ? rewrite_seed : 1) * 100'000 + i));
    }
}

// A seeded random mix: 70% of files 100 B..16 KiB, 25% 16..256 KiB, 5%
// 256 KiB..2 MiB, log-uniform within each class; 600 files in 30 directories.
void mix_tree(const std::string& dir, uint64_t rewrite_seed, size_t rewrite_every) {
  std::mt19937_64 rng(42);
  auto log_uniform = [&](double lo, double hi) {
    return size_t(std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng)));
  };
  for (size_t i = 0; i < 600; ++i) {
    const double c = std::uniform_real_distribution<double>(0, 1)(rng);
    const size_t size = c < 0.70 ? log_uniform(100, 16383) : c < 0.95 ? log_uniform(16384, 262144)
                                                                      : log_uniform(262144, 2 << 20);
    const bool rewritten = rewrite_every && i % rewrite_every == 0 && size < kPackBelowBytes;
    test::write_file(dir + "/d" + std::to_string(i % 30) + "/f" + std::to_string(i),
                     test::random_bytes(size, (rewritten ? rewrite_seed : 1) * 100'000 + i));
  }
}

// Bytes of v2's files whose root v1 does not have.
uint64_t new_content(const Manifest& v1, const Manifest& v2) {
  std::set<Sha256Digest> held;
  for (const auto& e : v1.entries) held.insert(e.root);
  uint64_t n = 0;
  for (const auto& e : v2.entries)
    if (e.type == EntryType::file && !held.count(e.root)) n += e.size;
  return n;
}

enum class Packing { none, plain, against_parent };

void run(const char* name, void (*tree)(const std::string&, uint64_t, size_t), Packing packing, double max_fresh,
         double max_delta) {
  const bool pack = packing != Packing::none;
  const char* how = packing == Packing::none ? ", unpacked" : packing == Packing::plain ? ", packed" : ", packed against v1";
  test::TmpDir tmp;
  const SecretKey key = SecretKey::generate();
  tree(tmp / "v1", 0, 0);
  tree(tmp / "v2", 7, 20);  // every 20th small file rewritten in place
  // Plain packing pins schema 2 (16 KiB bins): with schema 3's 256 KiB bins
  // every bin holding a rewritten file moves whole (~20x here), which is why
  // versions are packed against their parent (bcctl push does).
  const bool compress = packing == Packing::against_parent;
  auto v1 = test::capture_test_layer(tmp / "v1", {"base", 1}, 64 * 1024, key, pack, nullptr, compress);
  auto v2 = test::capture_test_layer(tmp / "v2", {"base", 2}, 64 * 1024, key, pack,
                                     packing == Packing::against_parent ? &v1.manifest() : nullptr, compress);
  Moved fresh = transfer(v1, tmp / "w1", tmp / "p1", nullptr, v1.manifest().total_file_bytes());
  report((std::string(name) + how + ", fresh").c_str(), fresh);
  CHECK(double(fresh.payload_sent) <= max_fresh * double(fresh.content));

  ContentIndexOptions io;
  io.dir = tmp / "index";
  auto index = ContentIndex::open(io);
  REQUIRE(index.ok());
  REQUIRE((*index)->record_layer(v1.trusted, tmp / "p1", v1.facts).ok());
  Moved delta = transfer(v2, tmp / "w2", tmp / "p2", index->get(), new_content(v1.manifest(), v2.manifest()));
  report((std::string(name) + how + ", v2 delta").c_str(), delta);
  CHECK(double(delta.payload_sent) <= max_delta * double(delta.content));
}

}  // namespace

TEST_CASE("4 KiB files: packed, the seed sends 1.02x the content (unpacked 4x); packed against v1, a delta too") {
  run("4 KiB files", four_k_tree, Packing::against_parent, 1.03, 1.10);
  run("4 KiB files", four_k_tree, Packing::plain, 1.03, 4.1);
  run("4 KiB files", four_k_tree, Packing::none, 4.1, 4.1);
}

TEST_CASE("random-size mix: packing removes the per-file block padding of small files") {
  run("mix", mix_tree, Packing::against_parent, 1.10, 1.5);
  run("mix", mix_tree, Packing::plain, 1.10, 20.0);
  run("mix", mix_tree, Packing::none, 2.0, 20.0);
}
