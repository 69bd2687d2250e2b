// The pure planners. No filesystem access: everything known about the disk
// arrives in a DiskView.
#include "layers/apply/plan.hpp"

namespace bc {
namespace {

const DiskEntry& at(const DiskView& disk, const std::string& path) {
  static const DiskEntry kAbsent;
  auto it = disk.find(path);
  return it == disk.end() ? kAbsent : it->second;
}

// Whether the on-disk item is exactly what `e` describes (content, not mode).
bool same_content(const Entry& e, const DiskEntry& d) {
  switch (e.type) {
    case EntryType::dir:
      return d.type == DiskType::dir;
    case EntryType::symlink:
      return d.type == DiskType::symlink && d.target == e.target;
    case EntryType::file:
      return d.type == DiskType::file && d.size == e.size && d.root && *d.root == e.root;
  }
  return false;
}

bool has_under(const std::set<std::string>& s, const std::string& dir) {
  std::string prefix = dir + "/";
  auto it = s.lower_bound(prefix);
  return it != s.end() && it->compare(0, prefix.size(), prefix) == 0;
}

// A directory is made private (0700) so nothing can look into it while it
// fills; a set_mode op gives it its mode afterwards.
constexpr uint32_t kPrivateDirMode = 0700;

Op make_dir_op(const std::string& path) {
  Op op;
  op.kind = OpKind::make_dir;
  op.path = path;
  op.mode = kPrivateDirMode;
  return op;
}

Op set_mode_op(const std::string& path, uint32_t mode, uint32_t old_mode) {
  Op op;
  op.kind = OpKind::set_mode;
  op.path = path;
  op.mode = mode;
  op.old_mode = old_mode;
  return op;
}

class ApplyPlanner {
 public:
  ApplyPlanner(const InstalledSet& old, const MergedStack& now, const DiskView& disk)
      : old_(old), now_(now), disk_(disk) {}

  Plan run() {
    if (auto root = disk_.find(""); root != disk_.end())
      plan_.stats.user_kept += root->second.foreign_children;
    plan_removals();
    for (const auto& [path, se] : now_) plan_stack_path(path, se);
    // Directory modes last and deepest first, so a read-only directory is
    // still writable while its children are installed.
    for (auto it = dir_modes_.rbegin(); it != dir_modes_.rend(); ++it) push(*it);
    return std::move(plan_);
  }

 private:
  void push(Op op) { plan_.ops.push_back(std::move(op)); }
  uint64_t next_slot() const { return plan_.ops.size(); }

  bool unmodified_old(const std::string& path, const DiskEntry& d) const {
    auto it = old_.find(path);
    return it != old_.end() && same_content(it->second.entry, d);
  }

  void move_out(const std::string& path, DiskType type) {
    Op op;
    op.kind = OpKind::move_out;
    op.path = path;
    op.moved = type;
    op.area = SlotArea::snapshot;
    op.slot = next_slot();
    push(std::move(op));
  }

  // Old-stack paths the new stack does not own, deepest first.
  void plan_removals() {
    std::set<std::string> kept;
    for (auto it = old_.rbegin(); it != old_.rend(); ++it) {
      const std::string& path = it->first;
      if (now_.count(path)) continue;
      const DiskEntry& d = at(disk_, path);
      if (d.type == DiskType::absent) continue;
      bool was_dir = it->second.entry.type == EntryType::dir;
      if ((d.type == DiskType::dir) != was_dir) {
        // The user replaced a layer item with one of another kind: theirs now.
        kept.insert(path);
        ++plan_.stats.user_kept;
        continue;
      }
      if (was_dir && (d.foreign_children > 0 || has_under(kept, path))) {
        kept.insert(path);  // still holds user entries: stays as a user directory
        plan_.stats.user_kept += d.foreign_children;
        continue;
      }
      if (!was_dir && !same_content(it->second.entry, d)) ++plan_.stats.user_backed_up;
      move_out(path, d.type);
      ++plan_.stats.removed;
    }
  }

  void displace_or_create(const std::string& path, const DiskEntry& d) {
    if (d.type == DiskType::absent) {
      ++plan_.stats.created;
      return;
    }
    if (!unmodified_old(path, d)) ++plan_.stats.user_backed_up;
    move_out(path, d.type);
    ++plan_.stats.replaced;
  }

  void stage(const std::string& path, const StackEntry& se) {
    Op op;
    op.kind = OpKind::move_in;
    op.path = path;
    op.area = SlotArea::stage;
    op.slot = next_slot();
    op.entry = se.entry;
    op.layer = se.layer;
    op.mode = se.entry.mode;
    if (se.entry.type == EntryType::file) {
      ++plan_.stats.staged_files;
      plan_.stats.staged_bytes += se.entry.size;
    }
    push(std::move(op));
  }

  void plan_stack_path(const std::string& path, const StackEntry& se) {
    const Entry& e = se.entry;
    const DiskEntry& d = at(disk_, path);
    if (same_content(e, d)) {
      ++plan_.stats.kept;
      if (e.type == EntryType::dir) plan_.stats.user_kept += d.foreign_children;
      if (e.type != EntryType::symlink && d.mode != e.mode) {
        ++plan_.stats.mode_changes;
        Op op = set_mode_op(path, e.mode, d.mode);
        if (e.type == EntryType::dir)
          dir_modes_.push_back(std::move(op));
        else
          push(std::move(op));
      }
      if (e.type == EntryType::file && d.hashed) plan_.verified.insert(path);
      return;
    }
    displace_or_create(path, d);
    if (e.type == EntryType::dir) {
      push(make_dir_op(path));
      dir_modes_.push_back(set_mode_op(path, e.mode, kPrivateDirMode));
      return;
    }
    stage(path, se);
  }

  const InstalledSet& old_;
  const MergedStack& now_;
  const DiskView& disk_;
  std::vector<Op> dir_modes_;
  Plan plan_;
};

class RollbackPlanner {
 public:
  RollbackPlanner(const std::vector<Op>& applied, const InstalledSet& installed, DiskView disk)
      : applied_(applied), installed_(installed), view_(std::move(disk)) {}

  RollbackPlan run() {
    std::set<std::string> created = created_paths(applied_);
    for (size_t i = applied_.size(); i-- > 0;) {
      const Op& op = applied_[i];
      switch (op.kind) {
        case OpKind::move_in:
          undo_install(op);
          break;
        case OpKind::make_dir:
          undo_make_dir(op);
          break;
        case OpKind::move_out:
          undo_move_out(op);
          break;
        case OpKind::set_mode:
          undo_set_mode(op, created.count(op.path) > 0);
          break;
        case OpKind::remove_dir:
          break;  // apply never removes a directory in place
      }
    }
    return std::move(plan_);
  }

 private:
  void push(Op op) { plan_.ops.push_back(std::move(op)); }

  void erase_subtree(const std::string& path) {
    view_.erase(path);
    std::string prefix = path + "/";
    auto it = view_.lower_bound(prefix);
    while (it != view_.end() && it->first.compare(0, prefix.size(), prefix) == 0)
      it = view_.erase(it);
  }

  void move_out(const std::string& path, SlotArea area) {
    Op op;
    op.kind = OpKind::move_out;
    op.path = path;
    op.moved = at(view_, path).type;
    op.area = area;
    op.slot = next_slot_++;
    push(std::move(op));
    erase_subtree(path);
  }

  void rescue(const std::string& path) {
    move_out(path, SlotArea::rescued);
    ++plan_.stats.rescued;
  }

  void undo_install(const Op& op) {
    const DiskEntry& d = at(view_, op.path);
    if (d.type == DiskType::absent) return;
    auto it = installed_.find(op.path);
    bool unmodified = it != installed_.end() && same_content(it->second.entry, d);
    if (!unmodified) {
      rescue(op.path);  // the user changed what we installed: keep their bytes
      return;
    }
    move_out(op.path, SlotArea::trash);
    ++plan_.stats.removed;
  }

  void undo_make_dir(const Op& op) {
    const DiskEntry& d = at(view_, op.path);
    if (d.type != DiskType::dir || d.foreign_children > 0) return;  // the user's now
    Op rm;
    rm.kind = OpKind::remove_dir;
    rm.path = op.path;
    push(std::move(rm));
    erase_subtree(op.path);
    ++plan_.stats.removed;
  }

  // Every ancestor of a path about to be restored must be a real directory.
  void ensure_parents(const std::string& path) {
    for (size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
      std::string anc = path.substr(0, pos);
      const DiskEntry& d = at(view_, anc);
      if (d.type == DiskType::dir) continue;
      if (d.type != DiskType::absent) rescue(anc);
      push(make_dir_op(anc));
      push(set_mode_op(anc, 0755, kPrivateDirMode));
      DiskEntry dir;
      dir.type = DiskType::dir;
      view_[anc] = dir;
    }
  }

  void undo_move_out(const Op& op) {
    ensure_parents(op.path);
    if (at(view_, op.path).type != DiskType::absent) rescue(op.path);
    Op in;
    in.kind = OpKind::move_in;
    in.path = op.path;
    in.area = SlotArea::snapshot;
    in.slot = op.slot;
    push(std::move(in));
    DiskEntry present;
    present.type = op.moved == DiskType::absent ? DiskType::other : op.moved;
    view_[op.path] = present;
    ++plan_.stats.restored;
  }

  void undo_set_mode(const Op& op, bool created) {
    const DiskEntry& d = at(view_, op.path);
    if (d.type != DiskType::dir && d.type != DiskType::file) return;
    Op m;
    m.kind = OpKind::set_mode;
    m.path = op.path;
    m.mode = op.old_mode;
    m.old_mode = op.mode;
    push(std::move(m));
    if (!created) ++plan_.stats.modes;
  }

  const std::vector<Op>& applied_;
  const InstalledSet& installed_;
  DiskView view_;
  uint64_t next_slot_ = 0;
  RollbackPlan plan_;
};

}  // namespace

Plan plan_apply(const InstalledSet& old, const MergedStack& now, const DiskView& disk) {
  return ApplyPlanner(old, now, disk).run();
}

std::set<std::string> created_paths(const std::vector<Op>& applied) {
  std::set<std::string> out;
  for (const Op& op : applied)
    if ((op.kind == OpKind::move_in && op.area == SlotArea::stage) || op.kind == OpKind::make_dir)
      out.insert(op.path);
  return out;
}

RollbackPlan plan_rollback(const std::vector<Op>& applied, const InstalledSet& installed,
                           const DiskView& disk) {
  return RollbackPlanner(applied, installed, disk).run();
}

}  // namespace bc
