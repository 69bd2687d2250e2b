// Packing small files into bins: layout, locality of changes, and every way a
// bin or its description can be wrong.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "layers/capture/capture.hpp"
#include "layers/capture/pack_bins.hpp"
#include "layers/capture/verify.hpp"
#include "layers/model/layer_dir.hpp"
#include "layers/model/pack.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
namespace fs = std::filesystem;

namespace {

CaptureOptions opts(const std::string& dir, int64_t version = 1) {
  CaptureOptions o;
  o.source_dir = dir;
  o.ref = {"base", version};
  o.piece_bytes = 64 * 1024;
  o.threads = 1;
  o.created_unix_s = 1'800'000'000;
  // These cases pin the schema 2 layout (16 KiB raw bins), which nodes of
  // the previous release read; schema 3 is tests/layers/apply/compress_apply_test.cpp.
  o.compress = false;
  return o;
}

std::string name_of(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "f%04d", i);
  return buf;
}

// `n` files of `size` bytes in one directory, plus one large file.
void small_tree(const std::string& dir, int n, size_t size, uint64_t seed) {
  for (int i = 0; i < n; ++i) test::write_file(dir + "/d/" + name_of(i), test::random_bytes(size, seed + uint64_t(i)));
  test::write_file(dir + "/big.img", test::random_bytes(200'000, 99));
}

std::set<Sha256Digest> bin_roots(const Manifest& m) {
  std::set<Sha256Digest> out;
  for (const auto& b : m.bins) out.insert(b.root);
  return out;
}

size_t new_bins(const Manifest& a, const Manifest& b) {
  auto held = bin_roots(a);
  size_t n = 0;
  for (const auto& bin : b.bins) n += !held.count(bin.root);
  return n;
}

struct Signed {
  std::string bytes;
  Signature sig{};
  PublicKey pk{};
  Result<TrustedManifest> trust() const { return TrustedManifest::verify(bytes, sig, pk); }
};

Signed sign(const std::string& bytes) {
  SecretKey k = SecretKey::generate();
  return {bytes, k.sign({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}), k.public_key()};
}

void expect_decode_error(const Manifest& m, const std::string& fragment) {
  auto r = Manifest::decode(m.encode());
  REQUIRE_FALSE(r.ok());
  INFO(r.status().to_string());
  CHECK(r.status().message().find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE("files below 16 KiB are packed into gap-free bins of at most 16 KiB; the torrent holds bins, not them") {
  test::TmpDir tmp;
  small_tree(tmp / "src", 40, 4096, 1);
  test::write_file(tmp / "src/d/exactly-16k", test::random_bytes(16384, 7));
  test::write_file(tmp / "src/d/empty", "");
  auto l = capture_layer(opts(tmp / "src"));
  REQUIRE_MESSAGE(l.ok(), l.status().to_string());
  const Manifest& m = l->manifest;
  CHECK(m.schema == 2);
  size_t packed = 0;
  for (const auto& e : m.entries) {
    if (e.path == "d/exactly-16k" || e.path == "d/empty" || e.path == "big.img") CHECK_FALSE(e.packed());
    if (!e.packed()) continue;
    ++packed;
    CHECK(e.size == 4096);
  }
  CHECK(packed == 40);
  uint64_t bin_bytes = 0;
  for (const auto& b : m.bins) {
    CHECK(b.size <= kPackBinBytes);
    bin_bytes += b.size;
  }
  CHECK(bin_bytes == 40 * 4096);
  CHECK(m.bins.size() >= 10);  // 4 per bin at most, fewer after a cut
  CHECK(m.bins.size() <= 12);
  auto facts = read_layer_torrent(l->torrent);
  REQUIRE(facts.ok());
  CHECK(facts->files.size() == m.bins.size() + 3);  // big.img, exactly-16k, empty
  CHECK(facts->files.count(".bc-pack/0") == 1);
  CHECK(facts->files.count("d/f0000") == 0);
  CHECK(check_torrent_matches(m, *facts).ok());

  SUBCASE("without packing every file is a file of the torrent") {
    CaptureOptions o = opts(tmp / "src");
    o.pack_small_files = false;
    auto u = capture_layer(o);
    REQUIRE(u.ok());
    CHECK(u->manifest.bins.empty());
    CHECK(read_layer_torrent(u->torrent)->files.size() == 43);
  }
}

TEST_CASE("an in-place change of a small file changes only its bin; an insertion re-packs only up to the next cut") {
  test::TmpDir tmp;
  small_tree(tmp / "v1", 1000, 3000, 1);
  auto a = capture_layer(opts(tmp / "v1"));
  REQUIRE(a.ok());
  REQUIRE(a->manifest.bins.size() >= 190);

  small_tree(tmp / "v2", 1000, 3000, 1);
  test::write_file(tmp / "v2/d/" + name_of(200), test::random_bytes(3000, 12345));  // same size
  auto b = capture_layer(opts(tmp / "v2", 2));
  REQUIRE(b.ok());
  CHECK(new_bins(a->manifest, b->manifest) == 1);

  small_tree(tmp / "v3", 1000, 3000, 1);
  test::write_file(tmp / "v3/d/f0100x", test::random_bytes(3000, 777));  // inserted after f0100
  auto c = capture_layer(opts(tmp / "v3", 3));
  REQUIRE(c.ok());
  const size_t changed = new_bins(a->manifest, c->manifest);
  INFO("bins " << c->manifest.bins.size() << ", new " << changed);
  CHECK(changed >= 1);
  CHECK(changed <= 100);  // a cut every 128 files on average; without cuts ~180 bins would shift
}

TEST_CASE("capture refuses the reserved top-level name .bc-pack, precisely") {
  test::TmpDir tmp;
  test::write_file(tmp / "src/.bc-pack/0", "mine");
  auto r = capture_layer(opts(tmp / "src"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::invalid_argument);
  CHECK(r.status().message().find("'.bc-pack' is reserved") != std::string::npos);
  // Below the top level the name is an ordinary one.
  fs::remove_all(tmp / "src/.bc-pack");
  test::write_file(tmp / "src/a/.bc-pack/0", "fine");
  CHECK(capture_layer(opts(tmp / "src")).ok());
}

TEST_CASE("decode refuses bad packing: outside its bin, overlaps, gaps, missing bins, reserved paths") {
  test::TmpDir tmp;
  small_tree(tmp / "src", 12, 3000, 3);  // five per bin: 15,000 of 16,384 bytes
  auto l = capture_layer(opts(tmp / "src"));
  REQUIRE(l.ok());
  Manifest m = l->manifest;
  REQUIRE(Manifest::decode(m.encode()).ok());
  auto first_packed = [&]() -> Entry& {
    for (auto& e : m.entries)
      if (e.packed() && e.offset > 0) return e;
    FAIL("no packed entry at a non-zero offset");
    return m.entries[0];
  };
  SUBCASE("offset and size outside the bin") { first_packed().offset = kPackBinBytes; expect_decode_error(m, "outside bin"); }
  SUBCASE("overlapping members") { first_packed().offset -= 1; expect_decode_error(m, "overlaps"); }
  SUBCASE("a gap") {
    Entry& e = first_packed();
    e.offset += 1;
    m.bins[e.bin].size += 1;
    expect_decode_error(m, "gap");
  }
  SUBCASE("a bin that does not exist") { first_packed().bin = 1000; expect_decode_error(m, "does not exist"); }
  SUBCASE("a bin its members do not fill") { m.bins[0].size -= 1; expect_decode_error(m, "bin 0"); }
  SUBCASE("a large file packed") {
    for (auto& e : m.entries)
      if (e.path == "big.img") e.bin = 0, e.offset = 0;
    expect_decode_error(m, "packed file must be");
  }
  SUBCASE("a member under the reserved name") {
    m.entries.insert(m.entries.begin(), Entry{".bc-pack", EntryType::dir, 0755});
    expect_decode_error(m, "reserved");
  }
  SUBCASE("schema 1 has no bins") { m.schema = 1; expect_decode_error(m, "schema 1"); }
}

TEST_CASE("schema 1 manifests (no bins) still decode") {
  Manifest m;
  m.schema = 1;
  m.name = "old";
  m.version = 1;
  m.created = "2026-11-21T21:00:00Z";
  m.info_hash = std::string(64, 'a');
  Entry f{"motd", EntryType::file, 0644, 12};
  f.root[0] = 1;
  m.entries = {f};
  std::string bytes = m.encode();
  CHECK(bytes.find("bins") == std::string::npos);
  auto back = Manifest::decode(bytes);
  REQUIRE_MESSAGE(back.ok(), back.status().to_string());
  CHECK(back->schema == 1);
  CHECK(back->payload_files().size() == 1);
  m.schema = 4;
  CHECK(Manifest::decode(m.encode()).status().code() == Status::Code::unsupported);
}

TEST_CASE("verify reads packed files from the layer's bins and names a tampered bin or member") {
  test::TmpDir tmp;
  small_tree(tmp / "src", 12, 4096, 5);
  auto l = capture_layer(opts(tmp / "src"));
  REQUIRE(l.ok());
  const std::string bytes = l->manifest.encode();
  REQUIRE(write_built_layer(tmp / "out", l->manifest, bytes, l->torrent, tmp / "src").ok());
  auto dir = load_layer_dir(tmp / "out");
  REQUIRE(dir.ok());
  Signed s = sign(bytes);
  auto tm = s.trust();
  REQUIRE(tm.ok());
  VerifyOptions vo;
  vo.bins_dir = dir->bins_dir;
  REQUIRE(verify_payload(*tm, l->torrent, dir->payload_dir, vo).ok());
  // Packed files need not exist at their paths: the bins carry them.
  fs::remove(tmp / "src/d/f0003");
  CHECK(verify_payload(*tm, l->torrent, dir->payload_dir, vo).ok());

  SUBCASE("a flipped byte in a bin") {
    std::string bin = test::read_file(tmp / "out/pack/1");
    bin[100] ^= 1;
    test::write_file(tmp / "out/pack/1", bin);
    Status v = verify_payload(*tm, l->torrent, dir->payload_dir, vo);
    CHECK(v.code() == Status::Code::corruption);
    CHECK(v.message().find(".bc-pack/1") != std::string::npos);
  }
  SUBCASE("a missing bin") {
    fs::remove(tmp / "out/pack/0");
    CHECK(verify_payload(*tm, l->torrent, dir->payload_dir, vo).code() == Status::Code::not_found);
  }
  SUBCASE("a signed manifest whose member root is not its bytes") {
    Manifest m = l->manifest;
    for (auto& e : m.entries)
      if (e.path == "d/f0005") e.root[0] ^= 1;
    Signed bad = sign(m.encode());
    auto btm = bad.trust();
    REQUIRE(btm.ok());  // well formed; the bins and the torrent are unchanged
    Status v = verify_payload(*btm, l->torrent, dir->payload_dir, vo);
    CHECK(v.code() == Status::Code::corruption);
    CHECK(v.message().find("'d/f0005'") != std::string::npos);
    CHECK(v.message().find("merkle root") != std::string::npos);
  }
}

TEST_CASE("packed against the parent, unchanged bins are kept and changed small files get bins of their own") {
  test::TmpDir tmp;
  small_tree(tmp / "v1", 400, 3000, 1);
  auto a = capture_layer(opts(tmp / "v1"));
  REQUIRE(a.ok());
  small_tree(tmp / "v2", 400, 3000, 1);
  for (int i = 0; i < 400; i += 10) test::write_file(tmp / "v2/d/" + name_of(i), test::random_bytes(3000, 5000 + uint64_t(i)));
  test::write_file(tmp / "v2/d/f0200x", test::random_bytes(3000, 4242));  // and one inserted
  CaptureOptions o = opts(tmp / "v2", 2);
  o.pack_against = a->manifest;
  auto b = capture_layer(o);
  REQUIRE_MESSAGE(b.ok(), b.status().to_string());
  const Manifest& m = b->manifest;
  std::set<Sha256Digest> v1_roots;
  for (const auto& e : a->manifest.entries) v1_roots.insert(e.root);
  const auto members = bin_members(m);
  size_t kept = 0, assemblable = 0, fresh = 0;
  for (size_t bin = 0; bin < m.bins.size(); ++bin) {
    size_t held = 0;
    for (size_t i : members[bin]) held += v1_roots.count(m.entries[i].root);
    if (bin_roots(a->manifest).count(m.bins[bin].root)) ++kept;
    else if (held == members[bin].size()) ++assemblable;
    else {
      CHECK(held == 0);  // a bin of new content holds nothing old
      ++fresh;
    }
  }
  MESSAGE(m.bins.size() << " bins: " << kept << " kept, " << assemblable << " of held files, " << fresh << " new");
  CHECK(fresh <= 41 * 3000 / 15000 + 3);  // 41 new files of 3,000 bytes, five per bin, plus cuts
  CHECK(kept >= 30);
  auto facts = read_layer_torrent(b->torrent);
  REQUIRE(facts.ok());
  CHECK(check_torrent_matches(m, *facts).ok());
  REQUIRE(Manifest::decode(m.encode()).ok());
}
