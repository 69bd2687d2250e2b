// Apply of packed small files: read from their bins, checked against their
// own roots; a bad bin fails the apply with nothing applied.
#include <doctest/doctest.h>

#include <filesystem>

#include "tests/layers/apply/apply_support.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using namespace bc::test;
namespace fs = std::filesystem;

namespace {

void make_small_files(const std::string& dir) {
  write_file(dir + "/etc/motd", "packed motd\n");
  write_file(dir + "/etc/hosts", random_bytes(5000, 1), 0600);
  write_file(dir + "/etc/tool", random_bytes(9000, 2), 0755);
  write_file(dir + "/usr/lib/big.so", random_bytes(70'000, 3));
}

}  // namespace

TEST_CASE("apply installs packed files from their bins with their modes") {
  TmpDir tmp;
  make_small_files(tmp / "src");
  BuiltLayer l = build_layer(tmp / "src", "base", 1);
  REQUIRE(l.tm->manifest().bins.size() >= 1);
  std::string root = tmp / "target";
  fs::create_directories(root);
  auto rep = apply_stack(options_for(root), {l.layer()});
  REQUIRE_MESSAGE(rep.ok(), rep.status().to_string());
  CHECK(read_file(root + "/etc/motd") == "packed motd\n");
  CHECK(read_file(root + "/etc/tool") == read_file(tmp / "src/etc/tool"));
  CHECK((fs::status(root + "/etc/tool").permissions() & fs::perms::owner_exec) != fs::perms::none);
  CHECK(first_difference(snap_tree(tmp / "src"), snap_tree(root)).empty());
}

TEST_CASE("a tampered bin or a member outside its bin fails the apply and leaves the target as it was") {
  TmpDir tmp;
  make_small_files(tmp / "src");
  BuiltLayer l = build_layer(tmp / "src", "base", 1);
  std::string root = tmp / "target";
  write_file(root + "/etc/motd", "the user's motd\n");
  TreeSnap before = snap_tree(root);

  SUBCASE("a flipped byte") {
    std::string bin = read_file(l.bins + "/0");
    bin[3] ^= 1;
    write_file(l.bins + "/0", bin);
    auto rep = apply_stack(options_for(root), {l.layer()});
    REQUIRE_FALSE(rep.ok());
    CHECK(rep.status().code() == Status::Code::corruption);
    CHECK(rep.status().message().find("bin .bc-pack/0") != std::string::npos);
  }
  SUBCASE("a truncated bin") {
    std::string bin = read_file(l.bins + "/0");
    write_file(l.bins + "/0", bin.substr(0, bin.size() - 1));
    auto rep = apply_stack(options_for(root), {l.layer()});
    REQUIRE_FALSE(rep.ok());
    CHECK(rep.status().code() == Status::Code::corruption);
  }
  SUBCASE("a bin replaced by a symlink") {
    fs::remove(l.bins + "/0");
    fs::create_symlink(tmp / "src/etc/motd", l.bins + "/0");
    auto rep = apply_stack(options_for(root), {l.layer()});
    REQUIRE_FALSE(rep.ok());
    CHECK(rep.status().message().find("symlink") != std::string::npos);
  }
  CHECK(first_difference(before, snap_tree(root)).empty());
}
