// Property tests over seeded random stacks and random user trees.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

#include "layers/crypto/sha256.hpp"
#include "tests/layers/apply/apply_support.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using namespace bc::test;
namespace fs = std::filesystem;

namespace {

constexpr int kIterations = 200;

// Every path the stack owns is on disk exactly as its winning layer says.
std::string stack_mismatch(const std::string& root, const std::vector<StackLayer>& stack) {
  std::vector<const Manifest*> ms;
  for (const auto& l : stack) ms.push_back(&l.manifest->manifest());
  auto merged = merge_stack(ms);
  if (!merged.ok()) return merged.status().to_string();
  for (const auto& [path, se] : *merged) {
    std::string abs = root + "/" + path;
    struct stat st;
    if (::lstat(abs.c_str(), &st) != 0) return "missing " + path;
    const Entry& e = se.entry;
    if (e.type == EntryType::symlink) {
      if (!S_ISLNK(st.st_mode) || fs::read_symlink(abs).string() != e.target) return "link " + path;
      continue;
    }
    if ((st.st_mode & 07777) != e.mode) return "mode " + path;
    if (e.type == EntryType::dir) {
      if (!S_ISDIR(st.st_mode)) return "not a dir " + path;
      continue;
    }
    auto h = hash_file(abs, kDefaultPieceBytes);
    if (!S_ISREG(st.st_mode) || !h.ok() || h->root != e.root) return "content " + path;
  }
  return {};
}

std::vector<StackLayer> layers_of(const std::vector<BuiltLayer>& ls) {
  std::vector<StackLayer> out;
  for (const auto& l : ls) out.push_back(l.layer());
  return out;
}

}  // namespace

TEST_CASE("property: apply then rollback is the identity on random stacks over random user trees") {
  for (int it = 0; it < kIterations; ++it) {
    CAPTURE(it);
    std::mt19937_64 rng(1000 + it);
    TmpDir tmp;
    std::string outside = tmp / "outside";
    write_file(outside + "/f", "outside");
    TreeSnap outside_before = snap_tree(outside);
    std::vector<BuiltLayer> layers;
    size_t n = 1 + rng() % 3;
    for (size_t i = 0; i < n; ++i) {
      std::string src = tmp / (std::string("L").append(std::to_string(i)));
      random_tree(src, rng, "abc", outside);
      layers.push_back(build_layer(src, std::string("l").append(std::to_string(i)), 1));
    }
    std::string root = tmp / "target";
    random_tree(root, rng, "abu", outside);
    TreeSnap before = snap_tree(root);
    auto stack = layers_of(layers);
    auto rep = apply_stack(options_for(root), stack);
    REQUIRE_MESSAGE(rep.ok(), rep.status().to_string());
    CHECK(stack_mismatch(root, stack) == "");
    auto rb = rollback_target(options_for(root));
    REQUIRE_MESSAGE(rb.ok(), rb.status().to_string());
    CHECK(first_difference(before, snap_tree(root)) == "");
    CHECK(first_difference(outside_before, snap_tree(outside)) == "");
  }
}

TEST_CASE(
    "property: apply A then B equals applying B from scratch, and two rollbacks restore the "
    "start") {
  for (int it = 0; it < kIterations; ++it) {
    CAPTURE(it);
    std::mt19937_64 rng(5000 + it);
    TmpDir tmp;
    std::string outside = tmp / "outside";
    write_file(outside + "/f", "outside");
    std::vector<BuiltLayer> a, b;
    for (size_t i = 0, n = 1 + rng() % 2; i < n; ++i) {
      std::string src = tmp / (std::string("A").append(std::to_string(i)));
      random_tree(src, rng, "abc", outside);
      a.push_back(build_layer(src, std::string("a").append(std::to_string(i)), 1));
    }
    for (size_t i = 0, n = 1 + rng() % 2; i < n; ++i) {
      std::string src = tmp / (std::string("B").append(std::to_string(i)));
      random_tree(src, rng, "abc", outside);
      b.push_back(build_layer(src, std::string("b").append(std::to_string(i)), 1));
    }
    std::string t1 = tmp / "t1", t2 = tmp / "t2";
    fs::create_directories(t1);
    fs::create_directories(t2);
    TreeSnap empty = snap_tree(t1);
    REQUIRE(apply_stack(options_for(t1), layers_of(a)).ok());
    TreeSnap after_a = snap_tree(t1);
    auto r1 = apply_stack(options_for(t1), layers_of(b));
    REQUIRE_MESSAGE(r1.ok(), r1.status().to_string());
    auto r2 = apply_stack(options_for(t2), layers_of(b));
    REQUIRE_MESSAGE(r2.ok(), r2.status().to_string());
    CHECK(first_difference(snap_tree(t2), snap_tree(t1)) == "");
    REQUIRE(rollback_target(options_for(t1)).ok());
    CHECK(first_difference(after_a, snap_tree(t1)) == "");
    REQUIRE(rollback_target(options_for(t1)).ok());
    CHECK(first_difference(empty, snap_tree(t1)) == "");
  }
}
