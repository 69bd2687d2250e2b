// Compression on the wire (schema 3): capture encodes bins and chunks of
// large compressible files with pinned zstd, verify and apply decode them
// and check every file against its raw root; content that does not
// compress stays raw; schema 2 (compress off) still works.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "layers/capture/verify.hpp"
#include "layers/model/bin_codec.hpp"
#include "layers/model/pack.hpp"
#include "tests/layers/apply/apply_support.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using namespace bc::test;
namespace fs = std::filesystem;

namespace {

// Text that compresses like real configuration and source files (~3-5x).
std::string text(size_t bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  static const char* words[] = {"lib", "usr", "config", "value", "enable", "path", "module", "debian",
                                "=", "true", "false", "#", "option", "share", "x86_64", "linux"};
  std::string out;
  while (out.size() < bytes) {
    out += words[rng() % 16];
    out += (rng() % 8 == 0) ? '\n' : ' ';
    if (rng() % 16 == 0) out += std::to_string(rng() % 100000);
  }
  out.resize(bytes);
  return out;
}

void make_tree(const std::string& dir) {
  for (int i = 0; i < 40; ++i) write_file(dir + "/etc/conf" + std::to_string(i), text(3000 + 97 * i, i));
  write_file(dir + "/etc/rand.key", random_bytes(6000, 7), 0600);
  write_file(dir + "/usr/lib/big.txt", text(2'500'000, 100));          // 3 chunks of 1 MiB
  write_file(dir + "/usr/lib/disk.img", random_bytes(600'000, 101));   // large, incompressible
  write_file(dir + "/usr/bin/tool", text(100'000, 102), 0755);        // packed (< 256 KiB)
}

CaptureOptions options(const std::string& src, int64_t version) {
  CaptureOptions o;
  o.source_dir = src;
  o.ref = {"base", version};
  o.piece_bytes = 16 * 1024;
  o.threads = 2;
  o.created_unix_s = 1'800'000'000;
  return o;
}

std::set<Sha256Digest> bin_roots(const Manifest& m) {
  std::set<Sha256Digest> out;
  for (const auto& b : m.bins) out.insert(b.root);
  return out;
}

}  // namespace

TEST_CASE("a compressed layer: text in zstd bins, a large text file chunked, random content raw; apply is exact") {
  TmpDir tmp;
  make_tree(tmp / "src");
  BuiltLayer l = build_layer_with(options(tmp / "src", 1));
  const Manifest& m = l.tm->manifest();
  CHECK(m.schema == 3);
  CHECK(m.compressor == compressor_id());
  const Entry* big = m.find("usr/lib/big.txt");
  REQUIRE(big);
  CHECK(big->chunks == 3);
  CHECK_FALSE(m.find("usr/lib/disk.img")->packed());  // sample test: stays a raw torrent file
  CHECK(m.find("usr/bin/tool")->packed());
  uint64_t wire = 0, raw = 0;
  for (const auto& b : m.bins) {
    wire += b.size;
    raw += b.raw_bytes();
    if (b.codec == BinCodec::zstd) CHECK(b.size < b.raw_size);
  }
  CHECK(m.bins[m.find("etc/conf0")->bin].codec == BinCodec::zstd);
  CHECK(wire * 2 < raw);  // text compresses at least 2x
  // The bin holding the random key alone would not compress; mixed with text it does:
  // what matters is that every member reads back exactly (below).
  VerifyOptions vo;
  vo.bins_dir = l.bins;
  Status v = verify_payload(*l.tm, l.torrent, l.payload, vo);
  CHECK_MESSAGE(v.ok(), v.to_string());

  std::string root = tmp / "target";
  fs::create_directories(root);
  auto rep = apply_stack(options_for(root), {l.layer()});
  REQUIRE_MESSAGE(rep.ok(), rep.status().to_string());
  CHECK(first_difference(snap_tree(tmp / "src"), snap_tree(root)).empty());
}

TEST_CASE("random content stays raw: every bin saves < 3% so none is zstd, wire bytes = raw bytes") {
  TmpDir tmp;
  for (int i = 0; i < 30; ++i) write_file(tmp / ("src/r" + std::to_string(i)), random_bytes(4096, i));
  write_file(tmp / "src/big", random_bytes(3'000'000, 99));
  BuiltLayer l = build_layer_with(options(tmp / "src", 1));
  const Manifest& m = l.tm->manifest();
  for (const auto& b : m.bins) CHECK(b.codec == BinCodec::raw);
  CHECK_FALSE(m.find("big")->packed());
  uint64_t payload = 0;
  for (const auto& f : m.payload_files()) payload += f.size;
  CHECK(payload == m.total_file_bytes());
}

TEST_CASE("determinism: the same chunk compresses to the same bytes; the same tree to the same manifest") {
  const std::string t = text(1 << 20, 5);
  const std::span<const uint8_t> s(reinterpret_cast<const uint8_t*>(t.data()), t.size());
  CHECK(compress_bin(s) == compress_bin(s));
  TmpDir tmp;
  make_tree(tmp / "src");
  auto a = capture_layer(options(tmp / "src", 1));
  auto b = capture_layer(options(tmp / "src", 1));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->manifest.encode() == b->manifest.encode());
  CHECK(a->torrent == b->torrent);
}

TEST_CASE("deltas: an in-place change moves one chunk's bin; a changed small file one new bin") {
  TmpDir tmp;
  make_tree(tmp / "src");
  auto v1 = capture_layer(options(tmp / "src", 1));
  REQUIRE(v1.ok());
  std::string big = read_file(tmp / "src/usr/lib/big.txt");
  big[(1 << 20) + 500] ^= 0x20;  // inside chunk 1
  write_file(tmp / "src/usr/lib/big.txt", big);
  write_file(tmp / "src/etc/conf7", text(3000 + 97 * 7, 1007));
  CaptureOptions o = options(tmp / "src", 2);
  o.pack_against = v1->manifest;
  auto v2 = capture_layer(o);
  REQUIRE_MESSAGE(v2.ok(), v2.status().to_string());
  // Bins that must move: new roots, and not assembled from members a holder
  // of v1 has (prepare_payload re-packs and re-compresses those).
  const auto old_roots = bin_roots(v1->manifest);
  std::set<Sha256Digest> old_files;
  for (const auto& e : v1->manifest.entries) old_files.insert(e.root);
  const auto members = bin_members(v2->manifest);
  std::vector<size_t> moved;
  for (size_t b = 0; b < v2->manifest.bins.size(); ++b) {
    if (old_roots.count(v2->manifest.bins[b].root)) continue;
    bool held = true;
    for (size_t i : members[b])
      held = held && !v2->manifest.entries[i].chunked() && old_files.count(v2->manifest.entries[i].root);
    if (!held) moved.push_back(b);
  }
  const Entry* e = v2->manifest.find("usr/lib/big.txt");
  REQUIRE(moved.size() == 2);
  CHECK(moved[0] == v2->manifest.find("etc/conf7")->bin);
  CHECK(moved[1] == e->bin + 1);
  // The other chunks of the large file kept their wire roots.
  CHECK(old_roots.count(v2->manifest.bins[e->bin].root));
  CHECK(old_roots.count(v2->manifest.bins[e->bin + 2].root));
}

TEST_CASE("a signed manifest whose zstd bin decodes wrong fails the apply with nothing applied") {
  TmpDir tmp;
  make_tree(tmp / "src");
  BuiltLayer l = build_layer_with(options(tmp / "src", 1));
  Manifest m = l.tm->manifest();
  const uint32_t b = m.find("etc/conf0")->bin;
  REQUIRE(m.bins[b].codec == BinCodec::zstd);
  std::string raw = text(size_t(m.bins[b].raw_size), 4242);  // not the members' bytes
  std::string expect;
  SUBCASE("right size, wrong content: a member's raw root mismatches") { expect = "merkle root"; }
  SUBCASE("a frame stating another size than the signed raw_size") { raw += "x"; expect = "zstd frame says"; }
  const std::string wire = compress_bin({reinterpret_cast<const uint8_t*>(raw.data()), raw.size()});
  write_file(l.bins + "/" + std::to_string(b), wire);
  m.bins[b].size = wire.size();
  m.bins[b].root = small_file_root({reinterpret_cast<const uint8_t*>(wire.data()), wire.size()}, m.piece_size);
  auto tm = sign_for_test(m);
  std::string root = tmp / "target";
  write_file(root + "/etc/motd", "the user's motd\n");
  TreeSnap before = snap_tree(root);
  auto rep = apply_stack(options_for(root), {StackLayer{tm.get(), l.payload, l.bins}});
  REQUIRE_FALSE(rep.ok());
  CHECK(rep.status().code() == Status::Code::corruption);
  CHECK_MESSAGE(rep.status().message().find(expect) != std::string::npos, rep.status().to_string());
  CHECK(first_difference(before, snap_tree(root)).empty());
}

TEST_CASE("compress off writes schema 2 (16 KiB raw bins, no chunks), which still reads and applies") {
  TmpDir tmp;
  make_tree(tmp / "src");
  CaptureOptions o = options(tmp / "src", 1);
  o.compress = false;
  BuiltLayer l = build_layer_with(o);
  const Manifest& m = l.tm->manifest();
  CHECK(m.schema == 2);
  CHECK(m.encode().find("codec") == std::string::npos);
  CHECK_FALSE(m.find("usr/lib/big.txt")->packed());
  for (const auto& b : m.bins) CHECK(b.size <= kPackBinBytes);
  auto again = Manifest::decode(m.encode());
  REQUIRE(again.ok());
  CHECK(again->encode() == m.encode());
  std::string root = tmp / "target";
  fs::create_directories(root);
  auto rep = apply_stack(options_for(root), {l.layer()});
  REQUIRE_MESSAGE(rep.ok(), rep.status().to_string());
  CHECK(first_difference(snap_tree(tmp / "src"), snap_tree(root)).empty());
}

TEST_CASE("a schema this build does not know is refused with a message naming it") {
  Manifest m;
  m.name = "base";
  m.version = 1;
  m.schema = 4;
  auto d = Manifest::decode(m.encode());
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().message().find("manifest schema 4") != std::string::npos);
}
