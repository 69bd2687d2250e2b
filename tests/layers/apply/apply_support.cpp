#include "tests/layers/apply/apply_support.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "layers/capture/capture.hpp"
#include "layers/capture/pack_bins.hpp"
#include "tests/support/tmp_dir.hpp"

namespace bc::test {

namespace fs = std::filesystem;

static const SecretKey& test_key() {
  static SecretKey k = SecretKey::generate();
  return k;
}

BuiltLayer build_layer(const std::string& src, const std::string& name, int64_t version,
                       uint32_t piece_bytes) {
  CaptureOptions o;
  o.source_dir = src;
  o.ref = {name, version};
  o.piece_bytes = piece_bytes;
  o.threads = 1;
  o.created_unix_s = 1'800'000'000;
  return build_layer_with(o);
}

std::unique_ptr<TrustedManifest> sign_for_test(const Manifest& m) {
  std::string bytes = m.encode();
  Signature sig = test_key().sign({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  auto tm = TrustedManifest::verify(bytes, sig, test_key().public_key());
  REQUIRE_MESSAGE(tm.ok(), tm.status().to_string());
  return std::make_unique<TrustedManifest>(std::move(*tm));
}

BuiltLayer build_layer_with(const CaptureOptions& o) {
  const std::string& src = o.source_dir;
  auto l = capture_layer(o);
  REQUIRE_MESSAGE(l.ok(), l.status().to_string());
  BuiltLayer b;
  b.tm = sign_for_test(l->manifest);
  b.payload = src;
  // A fresh side directory per build: an earlier BuiltLayer of the same tree
  // keeps its own bins, as separate built layers do.
  static int builds = 0;
  b.bins = src + ".bins." + std::to_string(++builds);
  Status bins = write_pack_bins(l->manifest, src, b.bins);
  REQUIRE_MESSAGE(bins.ok(), bins.to_string());
  b.torrent = l->torrent;
  return b;
}

TreeSnap snap_tree(const std::string& root) {
  TreeSnap out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string rel = it->path().string().substr(root.size() + 1);
    if (rel == kStateDirName) {
      it.disable_recursion_pending();
      continue;
    }
    struct stat st;
    REQUIRE(::lstat(it->path().c_str(), &st) == 0);
    Node n;
    n.mode = st.st_mode & 07777;
    if (S_ISREG(st.st_mode)) {
      n.type = 'f';
      n.data = read_file(it->path());
    } else if (S_ISDIR(st.st_mode)) {
      n.type = 'd';
    } else if (S_ISLNK(st.st_mode)) {
      n.type = 'l';
      n.mode = 0;
      n.data = fs::read_symlink(it->path()).string();
    } else {
      n.type = 'o';
    }
    out[rel] = n;
  }
  REQUIRE_FALSE(ec);
  return out;
}

std::string first_difference(const TreeSnap& want, const TreeSnap& got) {
  for (const auto& [p, n] : want) {
    auto it = got.find(p);
    if (it == got.end()) return "missing " + p;
    if (!(it->second == n))
      return "differs " + p + ": want type " + n.type + " mode " + std::to_string(n.mode) +
             ", got type " + it->second.type + " mode " + std::to_string(it->second.mode) +
             (n.data != it->second.data ? " (data differs)" : "");
  }
  for (const auto& [p, n] : got)
    if (!want.count(p)) return "unexpected " + p;
  return {};
}

static void random_level(const std::string& dir, std::mt19937_64& rng, const std::string& names,
                         const std::string& outside, int depth) {
  static const uint32_t file_modes[] = {0644, 0755, 0600, 0640};
  static const uint32_t dir_modes[] = {0755, 0700, 0750};
  for (char c : names) {
    std::string p = dir + "/" + c;
    switch (rng() % 5) {
      case 0:
      case 1:
        break;
      case 2:
        write_file(p, "content-" + std::to_string(rng() % 4) + std::string(rng() % 3 * 7000, c),
                   file_modes[rng() % 4]);
        break;
      case 3:
        fs::create_directories(p);
        if (depth < 3) random_level(p, rng, names, outside, depth + 1);
        ::chmod(p.c_str(), dir_modes[rng() % 3]);
        break;
      case 4: {
        std::string targets[] = {"a", "../b", outside, outside + "/f"};
        REQUIRE(::symlink(targets[rng() % 4].c_str(), p.c_str()) == 0);
        break;
      }
    }
  }
}

void random_tree(const std::string& dir, std::mt19937_64& rng, const std::string& names,
                 const std::string& outside) {
  fs::create_directories(dir);
  random_level(dir, rng, names, outside, 1);
}

ApplyOptions options_for(const std::string& root) {
  ApplyOptions o;
  o.root = root;
  return o;
}

}  // namespace bc::test
