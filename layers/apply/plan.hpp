// The apply plan: the vocabulary shared by the pure planner, the scanner that
// describes the disk to it, and the executor that carries a plan out.
//
// Paths are relative to the target root, '/'-separated, as in manifests.
// Every primitive step is one rename, mkdir, rmdir or chmod, and can tell
// after a crash whether it was done (see layers/apply/executor.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "layers/model/manifest.hpp"

namespace bc {

// The directory under the target root that holds apply state; no layer may own it.
inline constexpr const char* kStateDirName = ".branchcast";

// Identity of an installed file: if all five match, its bytes are the ones we
// installed (or restored) and need not be hashed again.
struct InstallStamp {
  uint64_t dev = 0, ino = 0, size = 0;
  int64_t mtime_ns = 0, ctime_ns = 0;
  friend bool operator==(const InstallStamp&, const InstallStamp&) = default;
};

// A path the applied stack owns.
struct InstalledEntry {
  Entry entry;
  std::string owner;                  // the layer that won it, "name@version"
  std::optional<InstallStamp> stamp;  // files only; absent when unknown
};
using InstalledSet = std::map<std::string, InstalledEntry>;

// A path the new stack owns, after later layers won conflicts.
struct StackEntry {
  Entry entry;
  size_t layer = 0;  // index into the stack: whose payload holds the bytes
};
using MergedStack = std::map<std::string, StackEntry>;

enum class DiskType { absent, file, dir, symlink, other };
const char* to_string(DiskType t);

// What is at one path under the target root. A path below something that is
// not a real directory (a file, or a symlink: never followed) is absent.
struct DiskEntry {
  DiskType type = DiskType::absent;
  uint32_t mode = 0;                 // permission bits
  uint64_t size = 0;                 // files
  std::string target;                // symlinks
  std::optional<Sha256Digest> root;  // files: content root when known (stamp or hash)
  bool hashed = false;               // files: root was computed from the bytes now
  uint64_t foreign_children = 0;     // dirs: entries inside not in the scan's known set
};
using DiskView = std::map<std::string, DiskEntry>;  // a missing key means absent

enum class OpKind {
  move_out,    // rename path -> slot (stash a displaced or removed item)
  move_in,     // rename slot -> path (install a staged item or restore a stashed one)
  make_dir,    // mkdir path (mode 0700; a later set_mode gives the final mode)
  remove_dir,  // rmdir path if it is empty; a non-empty one is left as the user's
  set_mode,    // chmod path
};
const char* to_string(OpKind k);

// Where a slot lives under ROOT/.branchcast: stage and trash belong to the
// transaction; snapshot to a generation; rescued keeps user data rollback had
// to move aside.
enum class SlotArea { none, stage, snapshot, trash, rescued };
const char* to_string(SlotArea a);

struct Op {
  OpKind kind = OpKind::move_out;
  std::string path;
  SlotArea area = SlotArea::none;
  uint64_t slot = 0;
  uint32_t mode = 0;                  // make_dir / set_mode: the mode to set
  uint32_t old_mode = 0;              // set_mode: the mode before, for rollback
  DiskType moved = DiskType::absent;  // move_out: what was moved (rollback knows what returns)
  // move_in from stage: what to stage and from which layer's payload.
  Entry entry;
  size_t layer = 0;
  friend bool operator==(const Op&, const Op&) = default;
};

struct PlanStats {
  uint64_t created = 0;         // stack paths that did not exist
  uint64_t replaced = 0;        // stack paths whose on-disk item was moved to the snapshot
  uint64_t removed = 0;         // paths the old stack owned, moved to the snapshot
  uint64_t kept = 0;            // stack paths already right on disk (maybe a mode change)
  uint64_t mode_changes = 0;    // kept paths whose mode is set
  uint64_t user_backed_up = 0;  // user files or user-modified layer files moved to the snapshot
  uint64_t user_kept = 0;       // user entries beside or below layer paths left alone
  uint64_t staged_files = 0;
  uint64_t staged_bytes = 0;
};

struct Plan {
  std::vector<Op> ops;
  PlanStats stats;
  // Files whose on-disk bytes the scan proved equal to the new root by hashing:
  // their stamps are taken fresh at commit.
  std::set<std::string> verified;
};

// Merges a stack (base first): a later layer's entry replaces an earlier one
// at the same path, and a later non-directory drops everything an earlier
// layer had below it. invalid_argument when a layer owns ".branchcast".
Result<MergedStack> merge_stack(const std::vector<const Manifest*>& stack);

// The pure apply planner. `disk` describes every path of `old` and `now`;
// an entry at "" (the root) only adds its foreign children to user_kept.
// Ops come out in execution order; snapshot slots and stage slots are numbered by op index.
Plan plan_apply(const InstalledSet& old, const MergedStack& now, const DiskView& disk);

struct RollbackStats {
  uint64_t removed = 0;   // items the generation had created, now gone
  uint64_t restored = 0;  // items brought back from the snapshot
  uint64_t rescued = 0;   // user data moved to ROOT/.branchcast/rescued
  uint64_t modes = 0;     // modes set back
};
struct RollbackPlan {
  std::vector<Op> ops;
  RollbackStats stats;
};

// The pure rollback planner: undoes `applied` (a generation's ops, as run).
// `created` are the paths that generation created; `installed` is what it
// installed (to tell unmodified created files, which go to the trash, from
// user-modified ones, which are rescued). `disk` describes every op path and
// its ancestors, with foreign_children counted against `created`.
RollbackPlan plan_rollback(const std::vector<Op>& applied, const InstalledSet& installed,
                           const DiskView& disk);

// Paths a generation created: move_in from stage and make_dir targets.
std::set<std::string> created_paths(const std::vector<Op>& applied);

}  // namespace bc
