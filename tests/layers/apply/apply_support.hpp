// Helpers for the apply suites: signed layers built from real trees, whole-tree
// snapshots for exact comparison, and seeded random trees.
#pragma once

#include <map>
#include <memory>
#include <random>
#include <string>

#include "layers/apply/applier.hpp"
#include "layers/capture/capture.hpp"

namespace bc::test {

struct BuiltLayer {
  std::unique_ptr<TrustedManifest> tm;
  std::string payload;  // the captured tree
  std::string torrent;
  std::string bins;     // its bins of packed files (a side directory, as a built layer's DIR/pack)
  StackLayer layer() const { return {tm.get(), payload, bins}; }
};

// Captures `src` into a layer signed by a test key, trusted through
// TrustedManifest::verify. REQUIRES (doctest): capture succeeds.
BuiltLayer build_layer(const std::string& src, const std::string& name, int64_t version,
                       uint32_t piece_bytes = 16 * 1024);

// The same with every capture option the caller's (compression, pack_against...).
BuiltLayer build_layer_with(const CaptureOptions& o);
// A manifest signed by the test key and trusted: for crafted manifests.
std::unique_ptr<TrustedManifest> sign_for_test(const Manifest& m);

struct Node {
  char type = '?';  // f, d, l, o
  uint32_t mode = 0;
  std::string data;  // file content or symlink target
  friend bool operator==(const Node&, const Node&) = default;
};
using TreeSnap = std::map<std::string, Node>;

// Every entry below `root` (not the root itself, not .branchcast), never
// following symlinks.
TreeSnap snap_tree(const std::string& root);
// The first difference, for failure messages; empty when equal.
std::string first_difference(const TreeSnap& want, const TreeSnap& got);

// A small random tree under `dir` (created): names drawn from `names`, depth
// up to 3, files with content from a small pool (so roots repeat), dirs and
// symlinks (targets may point at `outside`), random modes.
void random_tree(const std::string& dir, std::mt19937_64& rng, const std::string& names,
                 const std::string& outside);

ApplyOptions options_for(const std::string& root);

}  // namespace bc::test
