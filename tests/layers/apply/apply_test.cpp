// Apply and rollback on real trees: user files, symlink attacks, bad input,
// a full disk, generations.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "layers/apply/executor.hpp"
#include "tests/layers/apply/apply_support.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using namespace bc::test;
namespace fs = std::filesystem;

namespace {

void make_base(const std::string& dir, const std::string& motd) {
  write_file(dir + "/etc/motd", motd);
  write_file(dir + "/usr/bin/tool", random_bytes(70'000, 7), 0755);
  REQUIRE(::symlink("tool", (dir + "/usr/bin/tool-link").c_str()) == 0);
  fs::create_directories(dir + "/var/empty");
}

bool exists_nofollow(const std::string& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0;
}

}  // namespace

TEST_CASE("apply installs the stack, keeps user files, and rollback restores the tree exactly") {
  TmpDir tmp;
  make_base(tmp / "base", "base motd\n");
  write_file(tmp / "app/etc/motd", "app motd\n");
  write_file(tmp / "app/opt/app/bin", "app", 0700);
  BuiltLayer base = build_layer(tmp / "base", "base", 1), app = build_layer(tmp / "app", "app", 1);
  std::string root = tmp / "target";
  write_file(root + "/home/alice/notes.txt", "alice's notes\n", 0600);
  write_file(root + "/etc/motd", "the user's motd\n");
  write_file(root + "/etc/hosts", "user hosts\n");
  TreeSnap before = snap_tree(root);

  auto rep = apply_stack(options_for(root), {base.layer(), app.layer()});
  REQUIRE_MESSAGE(rep.ok(), rep.status().to_string());
  CHECK(rep->generation == 1);
  CHECK(read_file(root + "/etc/motd") == "app motd\n");  // later layer wins
  CHECK(read_file(root + "/home/alice/notes.txt") == "alice's notes\n");
  CHECK(read_file(root + "/etc/hosts") == "user hosts\n");
  CHECK(fs::read_symlink(root + "/usr/bin/tool-link") == "tool");
  CHECK(fs::is_directory(root + "/var/empty"));
  struct stat st;
  REQUIRE(::lstat((root + "/opt/app/bin").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  CHECK(rep->stats.replaced == 1);  // the user's motd
  CHECK(rep->stats.user_backed_up == 1);
  CHECK(rep->stats.user_kept == 2);  // etc/hosts, home

  auto rb = rollback_target(options_for(root));
  REQUIRE_MESSAGE(rb.ok(), rb.status().to_string());
  CHECK(rb->to_generation == 0);
  CHECK(first_difference(before, snap_tree(root)) == "");
  auto again = rollback_target(options_for(root));
  CHECK(again.status().code() == Status::Code::not_found);
}

TEST_CASE("rollback walks back through kept generations and stops where snapshots were pruned") {
  TmpDir tmp;
  std::vector<BuiltLayer> layers;
  for (int v = 1; v <= 4; ++v) {
    std::string src = tmp / (std::string("src").append(std::to_string(v)));
    make_base(src, std::string("motd v").append(std::to_string(v)) + "\n");
    write_file(src + std::string("/only-in-").append(std::to_string(v)), "x");
    layers.push_back(build_layer(src, "base", v));
  }
  std::string root = tmp / "target";
  write_file(root + "/user", "mine");
  std::vector<TreeSnap> states{snap_tree(root)};
  ApplyOptions o = options_for(root);
  o.keep_generations = 2;
  for (auto& l : layers) {
    REQUIRE(apply_stack(o, {l.layer()}).ok());
    states.push_back(snap_tree(root));
  }
  // Generations 4 and 3 are kept: two rollbacks, then no more.
  for (int g = 4; g >= 3; --g) {
    auto rb = rollback_target(o);
    REQUIRE_MESSAGE(rb.ok(), rb.status().to_string());
    CHECK(rb->to_generation == g - 1);
    CHECK(first_difference(states[size_t(g - 1)], snap_tree(root)) == "");
  }
  auto rb = rollback_target(o);
  CHECK(rb.status().code() == Status::Code::not_found);
  CHECK(rb.status().message().find("no longer kept") != std::string::npos);
}

TEST_CASE(
    "a user symlink where the stack needs a directory is moved aside and the outside is "
    "untouched") {
  TmpDir tmp;
  write_file(tmp / "outside/passwd", "outside passwd\n");
  write_file(tmp / "outside/keep", "outside keep\n");
  TreeSnap outside_before = snap_tree(tmp / "outside");
  write_file(tmp / "layer/etc/passwd", "layer passwd\n");
  write_file(tmp / "layer/etc/new", "layer new\n");
  BuiltLayer l = build_layer(tmp / "layer", "base", 1);
  std::string root = tmp / "target";
  fs::create_directories(root);
  REQUIRE(::symlink((tmp / "outside").c_str(), (root + "/etc").c_str()) == 0);
  TreeSnap before = snap_tree(root);

  auto rep = apply_stack(options_for(root), {l.layer()});
  REQUIRE_MESSAGE(rep.ok(), rep.status().to_string());
  CHECK(first_difference(outside_before, snap_tree(tmp / "outside")) == "");
  CHECK_FALSE(fs::is_symlink(root + "/etc"));
  CHECK(read_file(root + "/etc/passwd") == "layer passwd\n");
  REQUIRE(rollback_target(options_for(root)).ok());
  CHECK(first_difference(before, snap_tree(root)) == "");
  CHECK(first_difference(outside_before, snap_tree(tmp / "outside")) == "");
}

TEST_CASE("removing old-stack files never follows a symlink the user put in their parent's place") {
  TmpDir tmp;
  write_file(tmp / "outside/f", "outside f\n");
  TreeSnap outside_before = snap_tree(tmp / "outside");
  write_file(tmp / "v1/d/f", "layer f\n");
  write_file(tmp / "v2/other", "other\n");
  BuiltLayer v1 = build_layer(tmp / "v1", "base", 1), v2 = build_layer(tmp / "v2", "base", 2);
  std::string root = tmp / "target";
  fs::create_directories(root);
  REQUIRE(apply_stack(options_for(root), {v1.layer()}).ok());
  fs::remove_all(root + "/d");
  REQUIRE(::symlink((tmp / "outside").c_str(), (root + "/d").c_str()) == 0);
  auto rep = apply_stack(options_for(root), {v2.layer()});
  REQUIRE_MESSAGE(rep.ok(), rep.status().to_string());
  CHECK(first_difference(outside_before, snap_tree(tmp / "outside")) == "");
  CHECK(fs::is_symlink(root + "/d"));  // the user's symlink is theirs: kept
}

TEST_CASE("a manifest owning .branchcast is refused and the target is untouched") {
  TmpDir tmp;
  write_file(tmp / "layer/.branchcast/state.json", "{}");
  write_file(tmp / "layer/etc/motd", "x");
  BuiltLayer l = build_layer(tmp / "layer", "evil", 1);
  std::string root = tmp / "target";
  write_file(root + "/user", "mine");
  TreeSnap before = snap_tree(root);
  auto rep = apply_stack(options_for(root), {l.layer()});
  REQUIRE_FALSE(rep.ok());
  CHECK(rep.status().code() == Status::Code::invalid_argument);
  CHECK(rep.status().message().find(".branchcast") != std::string::npos);
  CHECK(first_difference(before, snap_tree(root)) == "");
  CHECK_FALSE(exists_nofollow(root + "/.branchcast/state.json"));
}

TEST_CASE("payload bytes that do not match the manifest are refused and the target is untouched") {
  TmpDir tmp;
  make_base(tmp / "layer", "motd\n");
  // Schema 2: usr/bin/tool stays a file of the payload (schema 3 packs files
  // below 256 KiB into bins; tampered bins are pack_apply_test's and
  // compress_apply_test's).
  CaptureOptions o;
  o.source_dir = tmp / "layer";
  o.ref = {"base", 1};
  o.piece_bytes = 16 * 1024;
  o.threads = 1;
  o.compress = false;
  BuiltLayer l = build_layer_with(o);
  std::string bin = tmp / "layer/usr/bin/tool";
  std::string bytes = read_file(bin);
  bytes[40'000] ^= 1;  // same size, one bit flipped
  write_file(bin, bytes, 0755);
  std::string root = tmp / "target";
  write_file(root + "/usr/bin/tool", "the user's tool");
  TreeSnap before = snap_tree(root);
  auto rep = apply_stack(options_for(root), {l.layer()});
  REQUIRE_FALSE(rep.ok());
  CHECK(rep.status().code() == Status::Code::corruption);
  CHECK(rep.status().message().find("usr/bin/tool") != std::string::npos);
  CHECK(first_difference(before, snap_tree(root)) == "");
  CHECK_FALSE(exists_nofollow(root + "/.branchcast/txn"));
  CHECK_FALSE(exists_nofollow(root + "/.branchcast/gens/1"));
}

TEST_CASE(
    "a full disk while staging is a no_space error, staging is removed, the target untouched") {
  TmpDir tmp;
  write_file(tmp / "layer/big.img", random_bytes(3 << 20, 3));
  write_file(tmp / "layer/etc/motd", "m");
  BuiltLayer l = build_layer(tmp / "layer", "base", 1);
  std::string mnt = tmp / "small";
  fs::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m") != 0) {
    MESSAGE("skipped: cannot mount a small tmpfs here (needs root)");
    return;
  }
  struct Unmount {
    std::string p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt};
  write_file(mnt + "/home/user.txt", "mine");
  TreeSnap before = snap_tree(mnt);
  auto rep = apply_stack(options_for(mnt), {l.layer()});
  REQUIRE_FALSE(rep.ok());
  CHECK(rep.status().code() == Status::Code::no_space);
  CHECK(first_difference(before, snap_tree(mnt)) == "");
  CHECK_FALSE(exists_nofollow(mnt + "/.branchcast/txn"));
}

TEST_CASE("a user-edited layer file is backed up by apply and rescued, not lost, by rollback") {
  TmpDir tmp;
  write_file(tmp / "v1/etc/conf", "v1\n");
  write_file(tmp / "v2/etc/conf", "v2\n");
  write_file(tmp / "v2/etc/added", "added\n");
  BuiltLayer v1 = build_layer(tmp / "v1", "base", 1), v2 = build_layer(tmp / "v2", "base", 2);
  std::string root = tmp / "target";
  fs::create_directories(root);
  REQUIRE(apply_stack(options_for(root), {v1.layer()}).ok());
  write_file(root + "/etc/conf", "v1 edited by the user\n");
  auto rep = apply_stack(options_for(root), {v2.layer()});
  REQUIRE(rep.ok());
  CHECK(rep->stats.user_backed_up == 1);
  write_file(root + "/etc/added", "added, then edited\n");
  auto rb = rollback_target(options_for(root));
  REQUIRE_MESSAGE(rb.ok(), rb.status().to_string());
  CHECK(read_file(root + "/etc/conf") == "v1 edited by the user\n");  // restored from the snapshot
  CHECK_FALSE(exists_nofollow(root + "/etc/added"));
  REQUIRE(rb->rescued.size() == 1);
  CHECK(read_file(root + "/" + rb->rescued[0].second) == "added, then edited\n");

  // The same generation number again: a second rescue never collides with the first.
  REQUIRE(apply_stack(options_for(root), {v2.layer()}).ok());
  write_file(root + "/etc/added", "edited a second time\n");
  auto rb2 = rollback_target(options_for(root));
  REQUIRE_MESSAGE(rb2.ok(), rb2.status().to_string());
  REQUIRE(rb2->rescued.size() == 1);
  CHECK(rb2->rescued[0].second != rb->rescued[0].second);
  CHECK(read_file(root + "/" + rb2->rescued[0].second) == "edited a second time\n");
  CHECK(read_file(root + "/" + rb->rescued[0].second) == "added, then edited\n");
}

TEST_CASE("re-applying the same stack stages nothing and changes nothing") {
  TmpDir tmp;
  make_base(tmp / "base", "m\n");
  BuiltLayer l = build_layer(tmp / "base", "base", 1);
  std::string root = tmp / "target";
  fs::create_directories(root);
  REQUIRE(apply_stack(options_for(root), {l.layer()}).ok());
  TreeSnap once = snap_tree(root);
  auto rep = apply_stack(options_for(root), {l.layer()});
  REQUIRE(rep.ok());
  CHECK(rep->stats.staged_files == 0);
  CHECK(rep->steps == 0);
  CHECK(first_difference(once, snap_tree(root)) == "");
}

TEST_CASE("a stack reaching into a mount inside the target is refused before anything moves") {
  TmpDir tmp;
  write_file(tmp / "layer/mnt/file", "f");
  write_file(tmp / "layer/etc/motd", "m");
  BuiltLayer l = build_layer(tmp / "layer", "base", 1);
  std::string root = tmp / "target";
  fs::create_directories(root + "/mnt");
  if (::mount("tmpfs", (root + "/mnt").c_str(), "tmpfs", 0, "size=1m") != 0) {
    MESSAGE("skipped: cannot mount a tmpfs here (needs root)");
    return;
  }
  struct Unmount {
    std::string p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{root + "/mnt"};
  TreeSnap before = snap_tree(root);
  auto rep = apply_stack(options_for(root), {l.layer()});
  REQUIRE_FALSE(rep.ok());
  CHECK(rep.status().code() == Status::Code::unsupported);
  CHECK(rep.status().message().find("mnt") != std::string::npos);
  CHECK(first_difference(before, snap_tree(root)) == "");
  CHECK_FALSE(exists_nofollow(root + "/.branchcast/txn"));
}

TEST_CASE(
    "running out of inodes while staging is a no_space error and leaves the target untouched") {
  TmpDir tmp;
  for (int i = 0; i < 40; ++i)
    write_file(tmp / std::string("layer/f").append(std::to_string(i)), "x");
  BuiltLayer l = build_layer(tmp / "layer", "base", 1);
  std::string mnt = tmp / "few-inodes";
  fs::create_directories(mnt);
  // Plenty of bytes (the up-front free-space check passes), too few inodes.
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=8m,nr_inodes=24") != 0) {
    MESSAGE("skipped: cannot mount a small tmpfs here (needs root)");
    return;
  }
  struct Unmount {
    std::string p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt};
  write_file(mnt + "/user.txt", "mine");
  TreeSnap before = snap_tree(mnt);
  auto rep = apply_stack(options_for(mnt), {l.layer()});
  REQUIRE_FALSE(rep.ok());
  CHECK(rep.status().code() == Status::Code::no_space);
  CHECK(first_difference(before, snap_tree(mnt)) == "");
  CHECK_FALSE(exists_nofollow(mnt + "/.branchcast/txn"));
  CHECK_FALSE(exists_nofollow(mnt + "/.branchcast/gens/1"));
}

TEST_CASE("a second apply while the target's lock is held is refused as unavailable") {
  TmpDir tmp;
  write_file(tmp / "layer/etc/motd", "m");
  write_file(tmp / "layer/etc/issue", "i");
  BuiltLayer l = build_layer(tmp / "layer", "base", 1);
  std::string root = tmp / "target";
  fs::create_directories(root + "/.branchcast");
  int fd = ::open((root + "/.branchcast/lock").c_str(), O_RDWR | O_CREAT, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  auto rep = apply_stack(options_for(root), {l.layer()});
  CHECK(rep.status().code() == Status::Code::unavailable);
  CHECK_FALSE(exists_nofollow(root + "/etc"));
  ::close(fd);
  CHECK(apply_stack(options_for(root), {l.layer()}).ok());
}

TEST_CASE("status while another process holds the target's lock reports the committed stack as busy instead of failing") {
  TmpDir tmp;
  write_file(tmp / "layer/etc/motd", "m");
  BuiltLayer l = build_layer(tmp / "layer", "base", 1);
  std::string root = tmp / "target";
  fs::create_directories(root);
  REQUIRE(apply_stack(options_for(root), {l.layer()}).ok());
  auto idle = target_status(options_for(root));
  REQUIRE(idle.ok());
  CHECK_FALSE(idle->busy);
  int fd = ::open((root + "/.branchcast/lock").c_str(), O_RDWR | O_CREAT, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  auto busy = target_status(options_for(root));
  REQUIRE_MESSAGE(busy.ok(), busy.status().to_string());
  CHECK(busy->busy);
  CHECK(busy->state.generation == 1);
  CHECK(busy->state.stack == std::vector<std::string>{"base@1"});
  ::close(fd);
}
