#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include "layers/index/prepare_payload.hpp"
#include "layers/model/pack.hpp"
#include "layers/util/fs.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;

namespace {

constexpr uint32_t kPiece = 64 * 1024;
constexpr size_t kBigPieces = 64;
const int kChangedPieces[] = {5, 20, 40};

// v1 and v2 of a layer: "same.bin" identical, "changed.bin" new content, "big.img"
// with three pieces changed in place, "new.txt" only in v2.
void make_versions(const test::TmpDir& tmp) {
  std::string same = test::random_bytes(100'000, 1);
  std::string big = test::random_bytes(kBigPieces * kPiece, 2);
  test::write_file(tmp / "v1/same.bin", same);
  test::write_file(tmp / "v1/changed.bin", test::random_bytes(50'000, 3));
  test::write_file(tmp / "v1/disk/big.img", big);
  for (int p : kChangedPieces) big[size_t(p) * kPiece + 17] ^= 0x5a;
  test::write_file(tmp / "v2/same.bin", same);
  test::write_file(tmp / "v2/changed.bin", test::random_bytes(50'000, 4));
  test::write_file(tmp / "v2/disk/big.img", big);
  test::write_file(tmp / "v2/new.txt", "new in v2\n");
}

std::unique_ptr<ContentIndex> open_index(const std::string& dir) {
  ContentIndexOptions o;
  o.dir = dir;
  o.map_size_bytes = 64u << 20;
  auto idx = ContentIndex::open(o);
  REQUIRE(idx.ok());
  return std::move(*idx);
}

// v1 and v2 as captured from tmp/v1 and tmp/v2 (one signer), with v1
// recorded in a fresh index at tmp/index: what a node holds before fetching v2.
struct Versions {
  test::TestLayer v1, v2;
  std::unique_ptr<ContentIndex> idx;
};
Versions capture_versions(const test::TmpDir& tmp) {
  auto key = SecretKey::generate();
  // Schema 2 (compress off): these cases pin raw files and pieces; the
  // compressed round trip is tests/layers/apply/compress_apply_test.cpp.
  Versions v{test::capture_test_layer(tmp / "v1", {"app", 1}, kPiece, key, true, nullptr, false),
             test::capture_test_layer(tmp / "v2", {"app", 2}, kPiece, key, true, nullptr, false),
             open_index(tmp / "index")};
  REQUIRE(v.idx->record_layer(v.v1.trusted, v.v1.source_dir, v.v1.facts).ok());
  return v;
}

}  // namespace

TEST_CASE("prepare_payload copies identical files and shared pieces, so the check finds only changed bytes missing") {
  test::TmpDir tmp;
  make_versions(tmp);
  auto [v1, v2, idx] = capture_versions(tmp);

  auto report = prepare_payload(v2.trusted, v2.facts, tmp / "payload", *idx);
  REQUIRE_MESSAGE(report.ok(), report.status().to_string());
  CHECK(report->files_copied == 1);
  CHECK(report->file_bytes_copied == 100'000);
  CHECK(report->pieces_copied == kBigPieces - 3);
  CHECK(report->piece_bytes_copied == (kBigPieces - 3) * kPiece);
  CHECK(report->bytes_seeded() == 100'000 + (kBigPieces - 3) * kPiece);
  CHECK(test::read_file(tmp / "payload/same.bin") == test::read_file(tmp / "v1/same.bin"));
  CHECK(std::filesystem::file_size(tmp / "payload/disk/big.img") == kBigPieces * kPiece);
  CHECK_FALSE(std::filesystem::exists(tmp / "payload/changed.bin"));

  // libtorrent hashes what was placed: all but the changed bytes are verified.
  SwarmNodeOptions o;
  o.data_dir = tmp / "node";
  o.listen_interfaces = "127.0.0.3:0";
  o.outgoing_interfaces = "127.0.0.3";
  o.insecure_plain_peers = true;  // a plain test layer: the check is what is proved here
  auto node = SwarmNode::start(o);
  REQUIRE_MESSAGE(node.ok(), node.status().to_string());
  REQUIRE((*node)->add_layer(v2.trusted, v2.torrent, tmp / "payload", LayerMode::download).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE_MESSAGE(test::poll_until({node->get()}, node->get(), &seen, test::is<LayerChecked>, 15'000),
                  "no LayerChecked within 15 s");
  const auto* checked = &std::get<LayerChecked>(seen.back());
  const uint64_t total = v2.manifest().total_file_bytes();
  CHECK(checked->total_bytes == total);
  CHECK(checked->done_bytes == total - 50'000 - 10 - 3 * kPiece);
}

TEST_CASE("prepare_payload leaves files that already exist to the check and seeds nothing from a stale index") {
  test::TmpDir tmp;
  make_versions(tmp);
  auto [v1, v2, idx] = capture_versions(tmp);
  test::write_file(tmp / "payload/same.bin", "partial");
  std::filesystem::remove(tmp / "v1/disk/big.img");  // the held copy is gone
  auto report = prepare_payload(v2.trusted, v2.facts, tmp / "payload", *idx);
  REQUIRE(report.ok());
  CHECK(report->files_already_present == 1);
  CHECK(report->bytes_seeded() == 0);
  CHECK(test::read_file(tmp / "payload/same.bin") == "partial");
  CHECK_FALSE(std::filesystem::exists(tmp / "payload/disk/big.img"));
}

TEST_CASE("a bin re-packed by an insertion is assembled from its members held in other bins") {
  test::TmpDir tmp;
  for (int i = 0; i < 60; ++i) {
    const std::string name = "f" + std::to_string(100 + i);
    const std::string content = test::random_bytes(3000, uint64_t(i));
    test::write_file(tmp / ("v1/d/" + name), content);
    test::write_file(tmp / ("v2/d/" + name), content);
  }
  test::write_file(tmp / "v2/d/f100a", test::random_bytes(3000, 1000));  // shifts every later member
  auto [v1, v2, idx] = capture_versions(tmp);

  auto report = prepare_payload(v2.trusted, v2.facts, tmp / "payload", *idx);
  REQUIRE_MESSAGE(report.ok(), report.status().to_string());
  const size_t bins = v2.manifest().bins.size();
  MESSAGE(bins << " bins: " << report->files_copied << " held whole, " << report->bins_assembled << " assembled");
  CHECK(report->bins_assembled >= 1);
  CHECK(report->files_copied + report->bins_assembled == bins - 1);  // all but the new file's bin
  // Assembled bins are the real ones: the full verification passes but for the missing bin.
  for (size_t b = 0; b < bins; ++b) {
    auto bytes = read_file_of_size(tmp / ("payload/.bc-pack/" + std::to_string(b)), v2.manifest().bins[b].size);
    if (!bytes.ok()) continue;
    CHECK(small_file_root({reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()}, kPiece) ==
          v2.manifest().bins[b].root);
  }
}

TEST_CASE("schema 3: a compressed bin of held members is re-compressed to the signed wire bytes") {
  test::TmpDir tmp;
  auto text = [](int i) {
    std::string s;
    while (s.size() < 3000) s += "option" + std::to_string(i) + " = enabled # default\n";
    return s;
  };
  for (int i = 0; i < 200; ++i) {
    const std::string name = "f" + std::to_string(100 + i);
    test::write_file(tmp / ("v1/d/" + name), text(i));
    test::write_file(tmp / ("v2/d/" + name), i == 5 ? text(1000) : text(i));  // one changed in place
  }
  auto key = SecretKey::generate();
  auto v1 = test::capture_test_layer(tmp / "v1", {"app", 1}, kPiece, key);
  auto v2 = test::capture_test_layer(tmp / "v2", {"app", 2}, kPiece, key, true, &v1.manifest());
  REQUIRE(v2.manifest().schema == 3);
  auto idx = open_index(tmp / "index");
  REQUIRE(idx->record_layer(v1.trusted, v1.source_dir, v1.facts).ok());
  auto report = prepare_payload(v2.trusted, v2.facts, tmp / "payload", *idx);
  REQUIRE_MESSAGE(report.ok(), report.status().to_string());
  MESSAGE(v2.manifest().bins.size() << " bins: " << report->files_copied << " held whole, "
                                    << report->bins_assembled << " assembled");
  CHECK(report->bins_assembled >= 1);  // the changed file's old neighbours, re-packed and re-compressed
  size_t zstd_assembled = 0;
  for (size_t b = 0; b < v2.manifest().bins.size(); ++b) {
    auto bytes = read_file_of_size(tmp / ("payload/.bc-pack/" + std::to_string(b)), v2.manifest().bins[b].size);
    if (!bytes.ok()) continue;
    CHECK(small_file_root({reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()}, kPiece) ==
          v2.manifest().bins[b].root);
    zstd_assembled += v2.manifest().bins[b].codec == BinCodec::zstd;
  }
  CHECK(zstd_assembled >= 1);
}
