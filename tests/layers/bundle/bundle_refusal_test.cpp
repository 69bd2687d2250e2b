#include <doctest/doctest.h>

#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "layers/index/content_index.hpp"
#include "tests/layers/bundle/bundle_support.hpp"

using namespace bc;

namespace {

std::string read_all(const std::string& p) { return test::read_file(p); }

void write_all(const std::string& p, const std::string& bytes) {
  std::ofstream o(p, std::ios::binary | std::ios::trunc);
  o << bytes;
}

// Opens and rebuilds `bundle` into tmp/out with v1's layer directory held;
// returns the error and checks nothing was left beside tmp/out.
Status refused(const test::TmpDir& tmp, const test::BundleVersions& v, const std::string& bundle,
               const PublicKey& key, bool hold_v1 = true, uint64_t min_free = 0) {
  const auto before = test::names_in(tmp.path());
  Status s;
  auto b = open_bundle(bundle, key);
  if (!b.ok()) {
    s = b.status();
  } else {
    const PublicKey pk = v.key.public_key();
    auto held = LayerDirsSource::open(hold_v1 ? std::vector<std::string>{v.v1_dir} : std::vector<std::string>{}, &pk);
    REQUIRE(held.ok());
    ImportOptions o;
    o.out_dir = tmp / "out";
    o.held = &*held;
    o.min_free_bytes = min_free;
    auto r = rebuild_bundle(*b, o);
    s = r.status();
  }
  CHECK_FALSE(s.ok());
  CHECK(test::names_in(tmp.path()) == before);  // no out dir, no staging dir
  return s;
}

}  // namespace

TEST_CASE("a truncated bundle is refused before anything is written, wherever it was cut") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  const std::string whole = read_all(v.bundle);
  for (size_t keep : {size_t(4), size_t(40), whole.size() / 3, whole.size() - 40'000, whole.size() - 1}) {
    CAPTURE(keep);
    write_all(tmp / "cut.bcb", whole.substr(0, keep));
    Status s = refused(tmp, v, tmp / "cut.bcb", v.key.public_key());
    CHECK(s.code() == Status::Code::corruption);
    CHECK_MESSAGE((s.message().find("truncated") != std::string::npos ||
                   s.message().find("not a branchcast bundle") != std::string::npos), s.to_string());
  }
}

TEST_CASE("a bundle whose data bytes were altered is refused by its checksum and nothing is kept") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  std::string bytes = read_all(v.bundle);
  bytes[bytes.size() - 5'000] ^= 0x01;  // inside the carried data
  write_all(tmp / "bad.bcb", bytes);
  Status s = refused(tmp, v, tmp / "bad.bcb", v.key.public_key());
  CHECK(s.code() == Status::Code::corruption);
  CHECK_MESSAGE(s.message().find("checksum mismatch") != std::string::npos, s.to_string());
}

TEST_CASE("a bundle signed by another key, or with an altered manifest, is refused before the table is read") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  Status s = refused(tmp, v, v.bundle, SecretKey::generate().public_key());
  CHECK(s.code() == Status::Code::corruption);
  CHECK_MESSAGE(s.message().find("does not verify against the pinned tracker key") != std::string::npos, s.to_string());

  std::string bytes = read_all(v.bundle);
  size_t at = bytes.find("\"piece_size\"");
  REQUIRE(at != std::string::npos);
  bytes[at + 1] = 'P';
  write_all(tmp / "forged.bcb", bytes);
  s = refused(tmp, v, tmp / "forged.bcb", v.key.public_key());
  CHECK_MESSAGE(s.message().find("does not verify") != std::string::npos, s.to_string());
}

TEST_CASE("a header claiming another layer than its signed manifest is refused") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  std::string bytes = read_all(v.bundle);
  size_t at = bytes.find("\"layer\":\"app@2\"");
  REQUIRE(at != std::string::npos);
  bytes[at + 13] = '3';
  write_all(tmp / "claim.bcb", bytes);
  Status s = refused(tmp, v, tmp / "claim.bcb", v.key.public_key());
  CHECK(s.code() == Status::Code::corruption);
  CHECK_MESSAGE(s.message().find("claims app@3 but the signed manifest is app@2") != std::string::npos, s.to_string());
}

TEST_CASE("a table entry naming a path outside the layer is refused") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  std::string bytes = read_all(v.bundle);
  // The table's entry for "same.bin": u32 length 8, then the path.
  const std::string entry = std::string("\x08\0\0\0", 4) + "same.bin";
  size_t at = bytes.rfind(entry);
  REQUIRE(at != std::string::npos);
  bytes.replace(at + 4, 8, "../x.bin");
  write_all(tmp / "escape.bcb", bytes);
  Status s = refused(tmp, v, tmp / "escape.bcb", v.key.public_key());
  CHECK(s.code() == Status::Code::corruption);
  CHECK_MESSAGE(s.message().find("\"../x.bin\" is not a file of the layer") != std::string::npos, s.to_string());
  CHECK_FALSE(std::filesystem::exists(tmp / "x.bin"));
}

TEST_CASE("a layer larger than the free space is refused after statvfs, before writing") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  struct statvfs vfs{};
  REQUIRE(::statvfs(tmp.path().c_str(), &vfs) == 0);
  const uint64_t free_bytes = uint64_t(vfs.f_bavail) * vfs.f_frsize;
  Status s = refused(tmp, v, v.bundle, v.key.public_key(), true, free_bytes);
  CHECK(s.code() == Status::Code::no_space);
  CHECK_MESSAGE(s.message().find("refused, nothing written") != std::string::npos, s.to_string());
}

TEST_CASE("an importer lacking the bundle's parents is told which parents and files are missing") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  Status s = refused(tmp, v, v.bundle, v.key.public_key(), /*hold_v1=*/false);
  CHECK(s.code() == Status::Code::not_found);
  CHECK_MESSAGE(s.message().find("made against app@1") != std::string::npos, s.to_string());
  CHECK_MESSAGE(s.message().find("same.bin (root ") != std::string::npos, s.to_string());
  CHECK_MESSAGE(s.message().find("disk/big.img: 46 of 48 pieces, the first 0") != std::string::npos, s.to_string());
}

TEST_CASE("an import into a directory that exists is refused and the held layer is untouched") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  std::filesystem::create_directories(tmp / "out");
  test::write_file(tmp / "out/keep", "mine");
  auto b = open_bundle(v.bundle, v.key.public_key());
  REQUIRE(b.ok());
  ImportOptions o;
  o.out_dir = tmp / "out";
  auto r = rebuild_bundle(*b, o);
  CHECK(r.status().code() == Status::Code::already_exists);
  CHECK(test::read_file(tmp / "out/keep") == "mine");
}

TEST_CASE("a held parent file that changed since it was recorded fails verification and nothing is kept") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  // Same size, other bytes: the source is a hint, the hash decides.
  std::string same = read_all(tmp / "v1/same.bin");
  same[10] ^= 0x7f;
  write_all(tmp / "v1/same.bin", same);
  Status s = refused(tmp, v, v.bundle, v.key.public_key());
  CHECK(s.code() == Status::Code::corruption);
  CHECK_MESSAGE(s.message().find("same.bin does not hash to the signed manifest's root") != std::string::npos,
                s.to_string());
}

TEST_CASE("bins to be assembled from parents that cannot be trusted (no key to index them) are refused, nothing kept") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  const auto before = test::names_in(tmp.path());
  auto held = LayerDirsSource::open({v.v1_dir});  // no signer: cannot index v1 to assemble from
  REQUIRE(held.ok());
  auto b = open_bundle(v.bundle, v.key.public_key());
  REQUIRE(b.ok());
  ImportOptions o;
  o.out_dir = tmp / "out";
  o.held = &*held;
  auto r = rebuild_bundle(*b, o);
  CHECK(r.status().code() == Status::Code::not_found);
  CHECK_MESSAGE(r.status().message().find("to be assembled from the parents' content") != std::string::npos,
                r.status().to_string());
  CHECK(test::names_in(tmp.path()) == before);
}
