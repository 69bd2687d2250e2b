// Realistic content: the path-hash subset (deterministic, the same for both
// versions, about the asked share), the copy (what it keeps, skips and
// refuses), and layers built from the cached Debian roots surveyed for the
// report (raw and wire views, v2's new content). The last case needs the
// roots (scripts/realistic-roots.sh) and skips itself without them.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "netsim/emulate/content_survey.hpp"
#include "netsim/emulate/layer_writer.hpp"
#include "netsim/realistic/realistic_tree.hpp"
#include "tests/support/realistic_tree.hpp"
#include "tests/support/skip.hpp"
#include "tests/support/tmp_dir.hpp"

namespace bc::netsim {
namespace {

namespace fs = std::filesystem;

TEST_CASE("the subset keeps a path by its hash: deterministic, nested in larger fractions, about the share asked") {
  std::size_t kept = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const std::string p = "usr/lib/x86_64-linux-gnu/lib" + std::to_string(i) + ".so";
    const bool k = subset_keeps(p, 0.25);
    CHECK(k == subset_keeps(p, 0.25));
    if (k) CHECK(subset_keeps(p, 0.5));  // what 1/4 keeps, 1/2 keeps too
    CHECK(subset_keeps(p, 1.0));
    kept += k;
  }
  // Binomial(20000, 0.25): sigma = 61; within 5 sigma.
  CHECK(kept > 5000 - 306);
  CHECK(kept < 5000 + 306);
}

TEST_CASE("copy_subset keeps files with their modes, symlinks and every directory; skips FIFOs and names capture refuses") {
  test::TmpDir tmp;
  const std::string root = tmp / "root";
  test::write_file(root + "/usr/bin/tool", "#!/bin/sh\n", 0750);
  test::write_file(root + "/etc/conf", "x=1\n");
  test::write_file(root + "/etc/bad\\name", "refused by capture\n");
  fs::create_directories(root + "/var/empty");
  fs::create_symlink("../usr/bin/tool", root + "/etc/link");
  REQUIRE(::mkfifo((root + "/etc/fifo").c_str(), 0644) == 0);
  auto st = copy_subset({root, "", 1.0}, tmp / "copy");
  REQUIRE_MESSAGE(st.ok(), st.status().to_string());
  CHECK(st->files == 2);
  CHECK(st->symlinks == 1);
  CHECK(st->skipped == 2);  // the FIFO and the backslash name
  CHECK(fs::is_directory(tmp / "copy/var/empty"));
  CHECK(fs::read_symlink(tmp / "copy/etc/link") == "../usr/bin/tool");
  struct stat s {};
  REQUIRE(::stat((tmp / "copy/usr/bin/tool").c_str(), &s) == 0);
  CHECK((s.st_mode & 07777) == 0750);
  CHECK_FALSE(fs::exists(tmp / "copy/etc/fifo"));
  // A subtree copies that directory only; a destination that exists is refused.
  auto sub = copy_subset({root, "usr", 1.0}, tmp / "sub");
  REQUIRE(sub.ok());
  CHECK(fs::exists(tmp / "sub/bin/tool"));
  CHECK(copy_subset({root, "", 1.0}, tmp / "copy").status().code() == Status::Code::already_exists);
  CHECK(copy_subset({root, "nope", 1.0}, tmp / "n").status().code() == Status::Code::not_found);
  CHECK(copy_subset({root, "", 0.0}, tmp / "z").status().code() == Status::Code::invalid_argument);
}

TEST_CASE("missing roots are a precise error that says how to make them") {
  test::TmpDir tmp;
  auto r = find_realistic_roots(tmp.path());
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()).find("run `scripts/realistic-roots.sh " + tmp.path() + "` as root") !=
        std::string::npos);
}

TEST_CASE("realistic layers from the cached roots: raw is the manifest, wire is compressed, v2 brings part anew") {
  auto roots = find_realistic_roots(kDefaultRootsDir);
  if (!roots.ok()) BC_SKIP_TEST("no cached Debian roots: run scripts/realistic-roots.sh");
  test::TmpDir tmp;
  LayerDef l;
  l.name = "base", l.content = LayerContent::realistic, l.v2_upgrade = true, l.subset_fraction = 1.0 / 64;
  SubsetStats st1, st2;
  auto v1 = write_realistic_layer(l, 1, *roots, LayerKind::base, tmp.path(), &st1);
  REQUIRE_MESSAGE(v1.ok(), v1.status().to_string());
  auto v2 = write_realistic_layer(l, 2, *roots, LayerKind::base, tmp.path(), &st2);
  REQUIRE_MESSAGE(v2.ok(), v2.status().to_string());
  auto c1 = survey_layer(v1->dir, v1->src);
  auto c2 = survey_layer(v2->dir, v2->src);
  REQUIRE(c1.ok());
  REQUIRE(c2.ok());
  MESSAGE("roots/v1 at 1/64: " << st1.files << " files, " << st1.bytes << " bytes; raw " << c1->raw_bytes()
                               << ", wire " << c1->wire_bytes() << " in " << c1->wire.size() << " torrent files");
  CHECK(c1->raw_bytes() == st1.bytes);       // every kept regular file is in the manifest
  // Schema 3: real OS files compress (docs/benchmarks.md, "Compression on the wire": ~0.4x).
  CHECK(c1->wire_bytes() < c1->raw_bytes() * 7 / 10);
  CHECK(c1->wire_bytes() > c1->raw_bytes() / 10);
  Scenario s;
  s.assignments = {{0, "base", 1, {}}, {1, "base", 2, {}}};
  ContentFacts f;
  f.versions = {*c1, *c2};
  auto n = assignment_new_content(s, f, "a");
  MESSAGE("v2 upgrade: raw new " << n[1].raw_bytes << " of " << c2->raw_bytes() << ", wire new " << n[1].wire_bytes);
  CHECK(n[0].raw_bytes == c1->raw_bytes());
  CHECK(n[1].raw_bytes > 0);
  CHECK(n[1].raw_bytes < c2->raw_bytes());  // most of the upgraded root is held already
  CHECK(n[1].wire_bytes > 0);
  CHECK(n[1].wire_bytes < n[1].raw_bytes);  // the new part compresses too
}

TEST_CASE("the tests' realistic tree fixture copies a small subset of real content") {
  test::TmpDir tmp;
  test::RealisticTree t = test::make_realistic_tree(tmp / "tree", 1.0 / 256);
  MESSAGE("from " << t.source << std::string(t.from_debian_root ? " (Debian root)" : " (fallback)") << ": " << t.stats.files
                  << " files, " << t.stats.bytes << " bytes");
  CHECK(t.stats.files > 0);
  CHECK(fs::is_directory(t.dir));
}

}  // namespace
}  // namespace bc::netsim
