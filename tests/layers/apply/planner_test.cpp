// The pure planners, driven with hand-made manifests and disk views.
#include <doctest/doctest.h>

#include <algorithm>

#include "layers/apply/plan.hpp"

using namespace bc;

namespace {

Sha256Digest root_of(char c) {
  Sha256Digest d{};
  d[0] = uint8_t(c);
  d[1] = 1;
  return d;
}
Entry F(std::string p, char c, uint32_t mode = 0644) {
  Entry e;
  e.path = std::move(p);
  e.type = EntryType::file;
  e.mode = mode;
  e.size = 1;
  e.root = root_of(c);
  return e;
}
Entry D(std::string p, uint32_t mode = 0755) {
  Entry e;
  e.path = std::move(p);
  e.type = EntryType::dir;
  e.mode = mode;
  return e;
}
Entry L(std::string p, std::string target) {
  Entry e;
  e.path = std::move(p);
  e.type = EntryType::symlink;
  e.mode = 0777;
  e.target = std::move(target);
  return e;
}
Manifest M(std::string name, std::vector<Entry> es) {
  Manifest m;
  m.name = std::move(name);
  m.version = 1;
  std::sort(es.begin(), es.end(), [](const Entry& a, const Entry& b) { return a.path < b.path; });
  m.entries = std::move(es);
  return m;
}
DiskEntry disk_file(char c, uint32_t mode = 0644) {
  DiskEntry d;
  d.type = DiskType::file;
  d.mode = mode;
  d.size = 1;
  d.root = root_of(c);
  return d;
}
DiskEntry disk_dir(uint64_t foreign = 0, uint32_t mode = 0755) {
  DiskEntry d;
  d.type = DiskType::dir;
  d.mode = mode;
  d.foreign_children = foreign;
  return d;
}
DiskEntry disk_link(std::string target) {
  DiskEntry d;
  d.type = DiskType::symlink;
  d.mode = 0777;
  d.target = std::move(target);
  return d;
}
MergedStack merged(std::vector<Manifest> ms) {
  std::vector<const Manifest*> ptrs;
  for (const auto& m : ms) ptrs.push_back(&m);
  auto r = merge_stack(ptrs);
  REQUIRE(r.ok());
  return *r;
}
InstalledSet installed(const MergedStack& s) {
  InstalledSet out;
  for (const auto& [p, se] : s) out[p] = InstalledEntry{se.entry, "x@1", std::nullopt};
  return out;
}
// The ops touching `path`, as "kind" strings in order.
std::vector<std::string> ops_at(const std::vector<Op>& ops, const std::string& path) {
  std::vector<std::string> out;
  for (const Op& op : ops)
    if (op.path == path) out.push_back(to_string(op.kind));
  return out;
}
using V = std::vector<std::string>;

}  // namespace

TEST_CASE("merge: a later layer wins a conflict and a later file hides an earlier subtree") {
  Manifest base = M("base", {D("etc"), F("etc/motd", 'a'), D("opt"), F("opt/x", 'b'), D("opt/sub"),
                             F("opt/sub/y", 'c')});
  Manifest app = M("app", {D("etc", 0700), F("etc/motd", 'z'), D("opt"), F("opt/sub", 'q')});
  MergedStack s = merged({base, app});
  CHECK(s.at("etc/motd").entry.root == root_of('z'));
  CHECK(s.at("etc/motd").layer == 1);
  CHECK(s.at("etc").entry.mode == 0700);
  CHECK(s.at("opt/x").layer == 0);
  CHECK(s.at("opt/sub").entry.type == EntryType::file);
  CHECK(s.count("opt/sub/y") == 0);
}

TEST_CASE("merge: a manifest owning .branchcast is refused") {
  Manifest bad = M("bad", {D(".branchcast"), F(".branchcast/state.json", 'a')});
  std::vector<const Manifest*> ptrs{&bad};
  auto r = merge_stack(ptrs);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::invalid_argument);
  CHECK(r.status().message().find(".branchcast") != std::string::npos);
}

TEST_CASE("first apply creates absent paths and leaves user entries alone") {
  MergedStack now = merged({M("b", {D("etc"), F("etc/motd", 'a'), L("etc/link", "motd")})});
  DiskView disk{{"etc", disk_dir(3)}};  // /etc holds three user files
  Plan p = plan_apply({}, now, disk);
  CHECK(ops_at(p.ops, "etc") == V{});  // kept as is: same type, same mode
  CHECK(ops_at(p.ops, "etc/motd") == V{"move_in"});
  CHECK(ops_at(p.ops, "etc/link") == V{"move_in"});
  CHECK(p.stats.created == 2);
  CHECK(p.stats.kept == 1);
  CHECK(p.stats.user_kept == 3);
  CHECK(p.stats.staged_files == 1);
  for (const Op& op : p.ops) CHECK(op.kind != OpKind::move_out);
}

TEST_CASE(
    "a user file at a stack path goes to the snapshot, then the layer's version is installed") {
  MergedStack now = merged({M("b", {F("motd", 'a')})});
  Plan p = plan_apply({}, now, {{"motd", disk_file('u')}});
  REQUIRE(p.ops.size() == 2);
  CHECK(p.ops[0].kind == OpKind::move_out);
  CHECK(p.ops[0].area == SlotArea::snapshot);
  CHECK(p.ops[1].kind == OpKind::move_in);
  CHECK(p.ops[1].area == SlotArea::stage);
  CHECK(p.stats.replaced == 1);
  CHECK(p.stats.user_backed_up == 1);
}

TEST_CASE("a user-modified layer file is backed up and replaced, an unmodified one is kept") {
  MergedStack old_stack = merged({M("b", {F("a", 'a'), F("b", 'b')})});
  MergedStack now = merged({M("b", {F("a", 'a'), F("b", 'b')})});
  DiskView disk{{"a", disk_file('a')}, {"b", disk_file('X')}};  // b was edited by the user
  Plan p = plan_apply(installed(old_stack), now, disk);
  CHECK(ops_at(p.ops, "a") == V{});
  CHECK(ops_at(p.ops, "b") == V{"move_out", "move_in"});
  CHECK(p.stats.kept == 1);
  CHECK(p.stats.replaced == 1);
  CHECK(p.stats.user_backed_up == 1);
}

TEST_CASE(
    "old-only paths are removed into the snapshot but an old-only dir holding user files stays") {
  MergedStack old_stack = merged({M("b", {D("gone"), F("gone/f", 'a'), D("keep"), F("keep/f", 'b'),
                                          L("ln", "x"), F("edited", 'e')})});
  MergedStack now = merged({M("b", {})});
  DiskView disk{{"gone", disk_dir()},       {"gone/f", disk_file('a')}, {"keep", disk_dir(1)},
                {"keep/f", disk_file('b')}, {"ln", disk_link("x")},     {"edited", disk_file('E')}};
  Plan p = plan_apply(installed(old_stack), now, disk);
  CHECK(ops_at(p.ops, "gone/f") == V{"move_out"});
  CHECK(ops_at(p.ops, "gone") == V{"move_out"});
  CHECK(ops_at(p.ops, "keep/f") == V{"move_out"});
  CHECK(ops_at(p.ops, "keep") == V{});
  CHECK(ops_at(p.ops, "ln") == V{"move_out"});
  CHECK(ops_at(p.ops, "edited") == V{"move_out"});
  // Children leave before their directory.
  auto idx = [&](const std::string& path) {
    for (size_t i = 0; i < p.ops.size(); ++i)
      if (p.ops[i].path == path) return i;
    return p.ops.size();
  };
  CHECK(idx("gone/f") < idx("gone"));
  CHECK(p.stats.removed == 5);
  CHECK(p.stats.user_backed_up == 1);
  CHECK(p.stats.user_kept == 1);
}

TEST_CASE("type changes: the old item goes to the snapshot before the new one is made") {
  MergedStack old_stack =
      merged({M("b", {F("f2d", 'a'), D("d2f"), F("d2f/x", 'b'), L("l2d", "y")})});
  MergedStack now = merged({M("b", {D("f2d"), F("d2f", 'c'), D("l2d"), F("l2d/z", 'd')})});
  DiskView disk{{"f2d", disk_file('a')},
                {"d2f", disk_dir()},
                {"d2f/x", disk_file('b')},
                {"l2d", disk_link("y")}};
  Plan p = plan_apply(installed(old_stack), now, disk);
  CHECK(ops_at(p.ops, "f2d") == V{"move_out", "make_dir", "set_mode"});
  CHECK(ops_at(p.ops, "d2f/x") == V{"move_out"});
  CHECK(ops_at(p.ops, "d2f") == V{"move_out", "move_in"});
  CHECK(ops_at(p.ops, "l2d") == V{"move_out", "make_dir", "set_mode"});
  CHECK(ops_at(p.ops, "l2d/z") == V{"move_in"});
  CHECK(p.stats.user_backed_up == 0);  // all displaced items were unmodified layer items
}

TEST_CASE("a symlink where the stack needs a directory is displaced, never written through") {
  MergedStack now = merged({M("b", {D("etc"), F("etc/passwd", 'p')})});
  // The scanner reports nothing below a symlink: etc/passwd is absent.
  Plan p = plan_apply({}, now, {{"etc", disk_link("/")}});
  CHECK(ops_at(p.ops, "etc") == V{"move_out", "make_dir", "set_mode"});
  CHECK(ops_at(p.ops, "etc/passwd") == V{"move_in"});
  CHECK(p.stats.user_backed_up == 1);
}

TEST_CASE("mode-only changes are set in place and directory modes come last, deepest first") {
  MergedStack old_stack = merged({M("b", {D("a"), D("a/b"), F("a/b/f", 'f')})});
  MergedStack now = merged({M("b", {D("a", 0500), D("a/b", 0500), F("a/b/f", 'f', 0600)})});
  DiskView disk{{"a", disk_dir()}, {"a/b", disk_dir()}, {"a/b/f", disk_file('f')}};
  Plan p = plan_apply(installed(old_stack), now, disk);
  REQUIRE(p.ops.size() == 3);
  CHECK(p.ops[0].path == "a/b/f");
  CHECK(p.ops[1].path == "a/b");
  CHECK(p.ops[2].path == "a");
  for (const Op& op : p.ops) CHECK(op.kind == OpKind::set_mode);
  CHECK(p.ops[0].old_mode == 0644);
  CHECK(p.stats.mode_changes == 3);
  CHECK(p.stats.kept == 3);
}

TEST_CASE(
    "rollback plan inverts an apply: created items removed, displaced restored, modes reset") {
  MergedStack old_stack = merged({M("b", {F("keep", 'k'), F("gone", 'g')})});
  MergedStack now = merged({M("b", {F("keep", 'k', 0600), D("new"), F("new/f", 'n')})});
  DiskView before{{"keep", disk_file('k')}, {"gone", disk_file('g')}, {"user", disk_file('u')}};
  Plan p = plan_apply(installed(old_stack), now, before);
  InstalledSet inst = installed(now);
  DiskView after{{"keep", disk_file('k', 0600)}, {"new", disk_dir()}, {"new/f", disk_file('n')}};
  RollbackPlan r = plan_rollback(p.ops, inst, after);
  CHECK(ops_at(r.ops, "new/f") == V{"move_out"});
  CHECK(ops_at(r.ops, "new") == V{"set_mode", "remove_dir"});
  CHECK(ops_at(r.ops, "gone") == V{"move_in"});
  CHECK(ops_at(r.ops, "keep") == V{"set_mode"});
  for (const Op& op : r.ops)
    if (op.path == "keep") CHECK(op.mode == 0644);
  CHECK(r.stats.restored == 1);
  CHECK(r.stats.removed == 2);
  CHECK(r.stats.modes == 1);
  CHECK(r.stats.rescued == 0);
}

TEST_CASE(
    "rollback plan rescues user edits: a modified installed file, and a file in a restore's way") {
  MergedStack old_stack = merged({M("b", {F("gone", 'g')})});
  MergedStack now = merged({M("b", {F("f", 'n')})});
  Plan p = plan_apply(installed(old_stack), now, {{"gone", disk_file('g')}});
  // Since the apply, the user edited f and created a new file where "gone" was.
  DiskView after{{"f", disk_file('E')}, {"gone", disk_file('u')}};
  RollbackPlan r = plan_rollback(p.ops, installed(now), after);
  CHECK(ops_at(r.ops, "f") == V{"move_out"});
  CHECK(ops_at(r.ops, "gone") == V{"move_out", "move_in"});
  for (const Op& op : r.ops)
    if (op.kind == OpKind::move_out) CHECK(op.area == SlotArea::rescued);
  CHECK(r.stats.rescued == 2);
  CHECK(r.stats.restored == 1);
}

TEST_CASE("rollback plan keeps a created directory that now holds user files") {
  MergedStack now = merged({M("b", {D("d"), F("d/f", 'n')})});
  Plan p = plan_apply({}, now, {});
  DiskView after{{"d", disk_dir(1)}, {"d/f", disk_file('n')}};
  RollbackPlan r = plan_rollback(p.ops, installed(now), after);
  CHECK(ops_at(r.ops, "d/f") == V{"move_out"});
  for (const Op& op : r.ops) CHECK_FALSE((op.path == "d" && op.kind == OpKind::remove_dir));
}
