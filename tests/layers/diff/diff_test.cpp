// Layer diffs and the bytes a holder of A must fetch for B.
#include <doctest/doctest.h>

#include "layers/capture/capture.hpp"
#include "layers/diff/layer_diff.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using namespace bc::test;

namespace {

constexpr uint32_t kPiece = 16 * 1024;

struct Built {
  Manifest m;
  TorrentFacts t;
};

Built build(const std::string& src, int64_t version) {
  CaptureOptions o;
  o.source_dir = src;
  o.ref = {"base", version};
  o.piece_bytes = kPiece;
  o.threads = 1;
  o.compress = false;  // these cases pin schema 2's costs (16 KiB raw bins, unpacked 40 KB files)
  auto l = capture_layer(o);
  REQUIRE_MESSAGE(l.ok(), l.status().to_string());
  auto t = read_layer_torrent(l->torrent);
  REQUIRE_MESSAGE(t.ok(), t.status().to_string());
  return {l->manifest, *t};
}

}  // namespace

TEST_CASE("diff lists added, removed and changed paths and costs only what a holder of A lacks") {
  TmpDir tmp;
  std::string disk = random_bytes(10 * kPiece + 1000, 9);  // 11 pieces, the last 1000 bytes
  write_file(tmp / "a/disk.img", disk);
  write_file(tmp / "a/etc/motd", "hello\n");
  write_file(tmp / "a/gone", "bye\n");
  write_file(tmp / "a/big-moved", random_bytes(5 * kPiece, 10));
  write_file(tmp / "a/mode", "m", 0644);

  std::string changed = disk;
  changed[3 * kPiece + 5] ^= 0x55;    // piece 3
  changed[10 * kPiece + 10] ^= 0x55;  // the last, partial piece
  write_file(tmp / "b/disk.img", changed);
  write_file(tmp / "b/etc/motd", "hello again\n");
  write_file(tmp / "b/renamed", random_bytes(5 * kPiece, 10));  // same bytes as big-moved
  write_file(tmp / "b/new", "brand new\n");
  write_file(tmp / "b/mode", "m", 0600);

  Built a = build(tmp / "a", 1), b = build(tmp / "b", 2);
  LayerDiff d = diff_layers(a.m, &a.t, b.m, &b.t);
  CHECK(d.added == std::vector<std::string>{"new", "renamed"});
  CHECK(d.removed == std::vector<std::string>{"big-moved", "gone"});
  REQUIRE(d.changed.size() == 3);
  CHECK(d.changed[0].path == "disk.img");
  CHECK(d.changed[0].what == "content");
  CHECK(d.changed[2].path == "mode");
  CHECK(d.changed[2].what == "mode");
  // The small files are packed: B's one bin (etc/motd, mode, new: 23 bytes)
  // is new, so it moves whole, the unchanged "mode" with it.
  REQUIRE(b.m.bins.size() == 1);
  CHECK(b.m.bins[0].size == (sizeof("hello again\n") - 1) + 1 + (sizeof("brand new\n") - 1));
  uint64_t want = kPiece + 1000 + b.m.bins[0].size;
  CHECK(d.bytes_to_move == want);
  for (const auto& c : d.costs) {
    if (c.path == "disk.img") {
      CHECK(c.pieces_total == 11);
      CHECK(c.pieces_new == 2);
    }
    if (c.path == "renamed") CHECK(c.bytes_to_move == 0);
    if (c.path == "new") CHECK(c.reason == "packed (in bin .bc-pack/0)");
    if (c.path == ".bc-pack/0") CHECK(c.bytes_to_move == b.m.bins[0].size);
  }
}

TEST_CASE("diff of a layer against itself moves nothing") {
  TmpDir tmp;
  write_file(tmp / "a/x", random_bytes(3 * kPiece, 1));
  write_file(tmp / "a/y", "y");  // two files: see the report about single-file torrents
  Built a = build(tmp / "a", 1);
  LayerDiff d = diff_layers(a.m, &a.t, a.m, &a.t);
  CHECK(d.added.empty());
  CHECK(d.removed.empty());
  CHECK(d.changed.empty());
  CHECK(d.bytes_to_move == 0);
  CHECK(d.b_file_bytes == 3 * kPiece + 1);
}

TEST_CASE("diff costs a bin of held files at nothing (assembled) and a bin of new content at its size") {
  TmpDir tmp;
  for (int i = 0; i < 12; ++i) {
    write_file(tmp / ("a/etc/f" + std::to_string(i + 10)), random_bytes(3000, uint64_t(i)));
    write_file(tmp / ("b/etc/f" + std::to_string(i + 10)), random_bytes(3000, uint64_t(i)));
  }
  write_file(tmp / "b/etc/f15", random_bytes(3000, 99));  // rewritten in place
  Built a = build(tmp / "a", 1);
  CaptureOptions o;
  o.source_dir = tmp / "b";
  o.ref = {"base", 2};
  o.piece_bytes = kPiece;
  o.threads = 1;
  o.compress = false;
  o.pack_against = a.m;
  auto l = capture_layer(o);
  REQUIRE_MESSAGE(l.ok(), l.status().to_string());
  auto t = read_layer_torrent(l->torrent);
  REQUIRE(t.ok());
  LayerDiff d = diff_layers(a.m, &a.t, l->manifest, &*t);
  CHECK(d.bytes_to_move == 3000);  // f15's own bin; its old neighbours are assembled
  size_t assembled = 0;
  for (const auto& c : d.costs) assembled += c.reason == "bin assembled from held files";
  CHECK(assembled >= 1);
}
