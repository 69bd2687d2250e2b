#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "layers/index/content_index.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;

namespace {

constexpr uint32_t kPiece = 64 * 1024;

test::TestLayer small_layer(const test::TmpDir& tmp) {
  test::write_file(tmp / "src/etc/motd", "hello\n");
  test::write_file(tmp / "src/big.img", test::random_bytes(10 * kPiece + 123, 7));
  return test::capture_test_layer(tmp / "src", {"base", 1}, kPiece);
}

std::unique_ptr<ContentIndex> open_index(const std::string& dir) {
  ContentIndexOptions o;
  o.dir = dir;
  o.map_size_bytes = 64u << 20;
  auto idx = ContentIndex::open(o);
  REQUIRE_MESSAGE(idx.ok(), idx.status().to_string());
  return std::move(*idx);
}

}  // namespace

TEST_CASE("content index finds a recorded file by root and a piece by hash, and forgets a layer") {
  test::TmpDir tmp;
  auto layer = small_layer(tmp);
  auto idx = open_index(tmp / "index");
  REQUIRE(idx->record_layer(layer.trusted, layer.source_dir, layer.facts).ok());

  auto motd = idx->find_file(layer.manifest().find("etc/motd")->root);
  REQUIRE(motd.ok());
  REQUIRE(motd->has_value());
  // A small file is packed: found inside its bin, at its offset.
  CHECK((*motd)->path == std::filesystem::canonical(tmp / "src/.bc-pack/0").string());
  CHECK((*motd)->offset == 0);
  CHECK((*motd)->length == 6);
  auto bin = idx->find_file(layer.manifest().bins.at(0).root);
  REQUIRE(bin->has_value());
  CHECK((*bin)->path == (*motd)->path);

  const auto& pieces = layer.facts.files.at("big.img").pieces;
  REQUIRE(pieces.size() == 11);
  auto p3 = idx->find_piece(pieces[3], kPiece);
  REQUIRE(p3.ok());
  REQUIRE(p3->has_value());
  CHECK((*p3)->offset == 3 * kPiece);
  CHECK((*p3)->length == kPiece);
  auto last = idx->find_piece(pieces[10], kPiece);
  REQUIRE(last->has_value());
  CHECK((*last)->length == 123);
  // Same hash under another piece size is a different key.
  CHECK_FALSE(idx->find_piece(pieces[3], 2 * kPiece)->has_value());

  auto st = idx->stats();
  CHECK(st->layers == 1);
  CHECK(st->files == 2);  // big.img, and bin 0 = etc/motd (a one-member bin has its member's root)
  CHECK(st->pieces == 11);

  REQUIRE(idx->forget_layer(layer.ref()).ok());
  CHECK_FALSE(idx->find_file(layer.manifest().find("etc/motd")->root)->has_value());
  CHECK_FALSE(idx->find_piece(pieces[3], kPiece)->has_value());
  CHECK(idx->stats()->files == 0);
  CHECK(idx->stats()->pieces == 0);
  CHECK(idx->forget_layer(layer.ref()).ok());  // forgetting twice is fine
}

TEST_CASE("content index drops entries whose file changed or vanished and never returns them") {
  test::TmpDir tmp;
  auto layer = small_layer(tmp);
  auto idx = open_index(tmp / "index");
  REQUIRE(idx->record_layer(layer.trusted, layer.source_dir, layer.facts).ok());
  const auto root = layer.manifest().find("etc/motd")->root;
  const auto piece0 = layer.facts.files.at("big.img").pieces[0];

  // Same size, new content, and a new mtime. etc/motd is packed: the bytes
  // the index points at are its bin's. The mtime is set, not waited for: a
  // rewrite inside one tick of the file system's clock could keep the old one.
  const std::string bin = tmp / "src/.bc-pack/0";
  const auto recorded_mtime = std::filesystem::last_write_time(bin);
  test::write_file(bin, "HELLO\n");
  std::filesystem::last_write_time(bin, recorded_mtime + std::chrono::seconds(1));
  auto f = idx->find_file(root);
  REQUIRE(f.ok());
  CHECK_FALSE(f->has_value());
  CHECK(idx->stats()->stale_dropped == 1);
  CHECK(idx->stats()->files == 1);  // dropped from the database

  std::filesystem::remove(tmp / "src/big.img");
  CHECK_FALSE(idx->find_piece(piece0, kPiece)->has_value());
  CHECK(idx->stats()->stale_dropped == 2);
}

TEST_CASE("content index survives closing and reopening its LMDB file") {
  test::TmpDir tmp;
  auto layer = small_layer(tmp);
  {
    auto idx = open_index(tmp / "index");
    REQUIRE(idx->record_layer(layer.trusted, layer.source_dir, layer.facts).ok());
    // Recording again replaces, not duplicates.
    REQUIRE(idx->record_layer(layer.trusted, layer.source_dir, layer.facts).ok());
  }
  auto idx = open_index(tmp / "index");
  CHECK(idx->stats()->layers == 1);
  CHECK(idx->stats()->pieces == 11);
  CHECK(idx->find_file(layer.manifest().find("big.img")->root)->has_value());
}

TEST_CASE("content index refuses a layer whose payload file is missing and writes nothing") {
  test::TmpDir tmp;
  auto layer = small_layer(tmp);
  std::filesystem::remove(tmp / "src/.bc-pack/0");  // the bin holding etc/motd
  auto idx = open_index(tmp / "index");
  Status s = idx->record_layer(layer.trusted, layer.source_dir, layer.facts);
  CHECK(s.code() == Status::Code::io_error);
  CHECK(s.message().find(".bc-pack/0") != std::string::npos);
  CHECK(idx->stats()->layers == 0);
  CHECK(idx->stats()->pieces == 0);
}

TEST_CASE("content index options are validated") {
  ContentIndexOptions o;
  CHECK_FALSE(o.validate().ok());
  o.dir = "/tmp/x";
  o.map_size_bytes = 1000;
  CHECK_FALSE(o.validate().ok());
}

TEST_CASE("content index: a layer that does not fit the map is refused whole with no_space") {
  test::TmpDir tmp;
  const std::string deep = "src/" + std::string(200, 'd') + "/";
  test::write_file(tmp / (deep + "big.img"), test::random_bytes(64u << 20, 3));  // 4096 pieces of 16 KiB
  auto big = test::capture_test_layer(tmp / "src", {"big", 1}, 16 * 1024);
  test::write_file(tmp / "small/a.txt", "a");
  test::write_file(tmp / "small/b.txt", "b");
  auto small = test::capture_test_layer(tmp / "small", {"small", 1}, 16 * 1024);
  ContentIndexOptions o;
  o.dir = tmp / "index";
  o.map_size_bytes = 1u << 20;
  auto idx = ContentIndex::open(o);
  REQUIRE(idx.ok());
  Status s = (*idx)->record_layer(big.trusted, big.source_dir, big.facts);
  CHECK(s.code() == Status::Code::no_space);
  CHECK((*idx)->stats()->pieces == 0);
  CHECK((*idx)->stats()->layers == 0);
  CHECK((*idx)->record_layer(small.trusted, small.source_dir, small.facts).ok());
  CHECK((*idx)->stats()->files == 3);  // a.txt and b.txt in their bin, and the bin
}
