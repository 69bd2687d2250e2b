// Crash safety: a child process runs apply or rollback and dies at step k
// (for every k, and at every phase); the parent recovers and checks that the
// tree is wholly the old state or wholly the new one, never a mix.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>

#include "tests/layers/apply/apply_support.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using namespace bc::test;
namespace fs = std::filesystem;

namespace {

constexpr int kKilled = 42;
constexpr size_t kMaxSteps = 1000;

struct Scenario {
  TmpDir tmp;
  std::vector<BuiltLayer> old_stack, new_stack;

  Scenario() {
    write_file(tmp / "a1/etc/motd", "a1\n");
    write_file(tmp / "a1/etc/conf", "conf a1\n", 0600);
    write_file(tmp / "a1/usr/lib/libx.so", random_bytes(50'000, 1), 0755);
    write_file(tmp / "a1/usr/share/doc/old", "old doc\n");
    REQUIRE(::symlink("libx.so", (tmp / "a1/usr/lib/libx.so.1").c_str()) == 0);
    write_file(tmp / "b1/etc/motd", "b1\n");
    write_file(tmp / "b1/etc/conf", "conf a1\n", 0644);         // same bytes, new mode
    write_file(tmp / "b1/usr/lib", "usr/lib is a file now\n");  // dir -> file
    write_file(tmp / "b1/opt/new/bin", random_bytes(40'000, 2), 0755);
    REQUIRE(::symlink("motd", (tmp / "b1/etc/usr-owned").c_str()) == 0);
    write_file(tmp / "app/etc/motd", "app wins\n");
    fs::create_directories(tmp / "app/var/empty");
    old_stack.push_back(build_layer(tmp / "a1", "base", 1));
    new_stack.push_back(build_layer(tmp / "b1", "base", 2));
    new_stack.push_back(build_layer(tmp / "app", "app", 1));
  }

  // A target with user files, with the old stack applied.
  std::string fresh_target(const std::string& name) {
    std::string root = tmp / name;
    write_file(root + "/home/alice/notes.txt", "notes\n");
    write_file(root + "/etc/usr-owned", "the user's own file at a path b1 takes\n");
    write_file(root + "/usr/share/doc/user-doc", "user doc keeps usr/share/doc alive\n");
    std::vector<StackLayer> s;
    for (auto& l : old_stack) s.push_back(l.layer());
    auto r = apply_stack(options_for(root), s);
    REQUIRE_MESSAGE(r.ok(), r.status().to_string());
    return root;
  }
  std::vector<StackLayer> next() const {
    std::vector<StackLayer> s;
    for (auto& l : new_stack) s.push_back(l.layer());
    return s;
  }
};

// Runs `body` in a child that dies (_exit) when the hook fires. Returns true
// when the child was killed, false when it ran to the end.
bool run_child(const std::function<void(ApplyOptions&)>& arm,
               const std::function<Status(ApplyOptions&)>& body, const std::string& root) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ApplyOptions o = options_for(root);
    arm(o);
    Status s = body(o);
    ::_exit(s.ok() ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) != 1);
  return WEXITSTATUS(status) == kKilled;
}

Status do_apply(Scenario& sc, ApplyOptions& o) { return apply_stack(o, sc.next()).status(); }
Status do_rollback(ApplyOptions& o) { return rollback_target(o).status(); }

int64_t recover_and_generation(const std::string& root) {
  auto st = target_status(options_for(root));
  REQUIRE_MESSAGE(st.ok(), st.status().to_string());
  return st->state.generation;
}

}  // namespace

TEST_CASE(
    "crash during apply at every step and phase: recovery yields the old or the new tree, never a "
    "mix") {
  Scenario sc;
  std::string ref_root = sc.fresh_target("ref");
  TreeSnap old_tree = snap_tree(ref_root);
  REQUIRE(apply_stack(options_for(ref_root), sc.next()).ok());
  TreeSnap new_tree = snap_tree(ref_root);
  REQUIRE(first_difference(old_tree, new_tree) != "");

  size_t k = 0;
  for (; k < kMaxSteps; ++k) {
    CAPTURE(k);
    std::string root = sc.fresh_target(std::string("t").append(std::to_string(k)));
    bool killed = run_child(
        [k](ApplyOptions& o) {
          o.before_step = [k](size_t i) {
            if (i == k) ::_exit(kKilled);
          };
        },
        [&](ApplyOptions& o) { return do_apply(sc, o); }, root);
    int64_t gen = recover_and_generation(root);
    CHECK(gen == 2);  // a journal existed: recovery finished the apply
    CHECK(first_difference(new_tree, snap_tree(root)) == "");
    // And the recovered generation rolls back cleanly.
    REQUIRE(rollback_target(options_for(root)).ok());
    CHECK(first_difference(old_tree, snap_tree(root)) == "");
    fs::remove_all(root);
    if (!killed) break;
  }
  CHECK(k > 8);  // the scenario has many steps; all were tried

  for (const char* phase : {"prepared", "journaled", "executed", "committed"}) {
    CAPTURE(phase);
    std::string root = sc.fresh_target(std::string("p-").append(phase));
    std::string want = phase;
    REQUIRE(run_child(
        [want](ApplyOptions& o) {
          o.at_phase = [want](const char* p) {
            if (want == p) ::_exit(kKilled);
          };
        },
        [&](ApplyOptions& o) { return do_apply(sc, o); }, root));
    int64_t gen = recover_and_generation(root);
    const TreeSnap& expect = want == "prepared" ? old_tree : new_tree;
    CHECK(gen == (want == "prepared" ? 1 : 2));
    CHECK(first_difference(expect, snap_tree(root)) == "");
    CHECK_FALSE(fs::exists(root + "/.branchcast/txn"));
    if (want == "prepared") CHECK_FALSE(fs::exists(root + "/.branchcast/gens/2"));
  }
}

TEST_CASE(
    "crash during rollback at every step and phase: recovery yields the old or the new tree, never "
    "a mix") {
  Scenario sc;
  std::string ref_root = sc.fresh_target("ref");
  TreeSnap old_tree = snap_tree(ref_root);
  REQUIRE(apply_stack(options_for(ref_root), sc.next()).ok());
  TreeSnap new_tree = snap_tree(ref_root);

  size_t k = 0;
  for (; k < kMaxSteps; ++k) {
    CAPTURE(k);
    std::string root = sc.fresh_target(std::string("t").append(std::to_string(k)));
    REQUIRE(apply_stack(options_for(root), sc.next()).ok());
    bool killed = run_child(
        [k](ApplyOptions& o) {
          o.before_step = [k](size_t i) {
            if (i == k) ::_exit(kKilled);
          };
        },
        do_rollback, root);
    CHECK(recover_and_generation(root) == 1);
    CHECK(first_difference(old_tree, snap_tree(root)) == "");
    fs::remove_all(root);
    if (!killed) break;
  }
  CHECK(k > 8);

  for (const char* phase : {"prepared", "journaled", "executed", "committed"}) {
    CAPTURE(phase);
    std::string root = sc.fresh_target(std::string("p-").append(phase));
    REQUIRE(apply_stack(options_for(root), sc.next()).ok());
    std::string want = phase;
    REQUIRE(run_child(
        [want](ApplyOptions& o) {
          o.at_phase = [want](const char* p) {
            if (want == p) ::_exit(kKilled);
          };
        },
        do_rollback, root));
    int64_t gen = recover_and_generation(root);
    CHECK(gen == (want == "prepared" ? 2 : 1));
    CHECK(first_difference(want == "prepared" ? new_tree : old_tree, snap_tree(root)) == "");
  }
}
