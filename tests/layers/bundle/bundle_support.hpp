// Two versions of a layer as built layer directories (what bc-layer build
// writes), and a bundle of v2 exported against v1, for the bundle tests.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>

#include "layers/bundle/bundle_export.hpp"
#include "layers/bundle/bundle_import.hpp"
#include "layers/model/layer_dir.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

namespace bc::test {

inline constexpr uint32_t kBundlePiece = 64 * 1024;
inline constexpr size_t kBundleBigPieces = 48;
inline constexpr int kBundleChangedPieces[] = {3, 30};

// v1 and v2: "same.bin" identical, "changed.bin" new content, "disk/big.img"
// with two pieces changed in place, small files (packed into bins) some
// changed, "new.txt" and a symlink only in v2.
inline void make_bundle_versions(const TmpDir& tmp) {
  // Above 256 KiB and random: a file of the torrent of its own whether small
  // files are packed into 16 KiB bins (schema 2) or 256 KiB ones (schema 3).
  std::string same = random_bytes(300'000, 1);
  std::string big = random_bytes(kBundleBigPieces * kBundlePiece, 2);
  write_file(tmp / "v1/same.bin", same);
  write_file(tmp / "v1/changed.bin", random_bytes(300'000, 3));
  write_file(tmp / "v1/disk/big.img", big);
  for (int i = 0; i < 12; ++i) write_file(tmp / ("v1/etc/f" + std::to_string(i)), random_bytes(700 + 300 * i, 10 + i));
  for (int p : kBundleChangedPieces) big[size_t(p) * kBundlePiece + 17] ^= 0x5a;
  write_file(tmp / "v2/same.bin", same);
  write_file(tmp / "v2/changed.bin", random_bytes(300'000, 4));
  write_file(tmp / "v2/disk/big.img", big);
  for (int i = 0; i < 12; ++i)
    write_file(tmp / ("v2/etc/f" + std::to_string(i)), random_bytes(700 + 300 * i, i == 5 ? 99 : 10 + i));
  write_file(tmp / "v2/new.txt", "new in v2\n", 0755);
  std::filesystem::create_symlink("../same.bin", tmp / "v2/etc/link");
}

// A signed layer directory for `layer` at `dir` (payload: its source tree).
inline void write_test_layer_dir(const TestLayer& layer, const std::string& dir, const SecretKey& key) {
  Status s = write_layer_dir(dir, layer.trusted.bytes(), layer.torrent, layer.source_dir);
  REQUIRE_MESSAGE(s.ok(), s.to_string());
  REQUIRE(write_layer_signature(dir, layer.trusted.signature()).ok());
  (void)key;
}

struct BundleVersions {
  SecretKey key;
  TestLayer v1, v2;
  std::string v1_dir, v2_dir, bundle;
};

// Captures tmp/v1 and tmp/v2 (v2 packed against v1), writes layer
// directories tmp/v1.layer and tmp/v2.layer and exports tmp/v2.bcb against v1.
inline BundleVersions make_bundle(const TmpDir& tmp) {
  make_bundle_versions(tmp);
  SecretKey key = SecretKey::generate();
  TestLayer v1 = capture_test_layer(tmp / "v1", {"app", 1}, kBundlePiece, key);
  TestLayer v2 = capture_test_layer(tmp / "v2", {"app", 2}, kBundlePiece, key, true, &v1.manifest());
  BundleVersions v{std::move(key), std::move(v1), std::move(v2), tmp / "v1.layer", tmp / "v2.layer", tmp / "v2.bcb"};
  write_test_layer_dir(v.v1, v.v1_dir, v.key);
  write_test_layer_dir(v.v2, v.v2_dir, v.key);
  ExportOptions o;
  o.layer_dir = v.v2_dir;
  o.against_dirs = {v.v1_dir};
  o.out_file = v.bundle;
  auto r = export_bundle(o);
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  return v;
}

// The names in a directory, to prove an import left nothing behind.
inline std::set<std::string> names_in(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

}  // namespace bc::test
