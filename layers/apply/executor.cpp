#include "layers/apply/executor.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "layers/apply/scan.hpp"
#include "layers/util/fs.hpp"

namespace bc {

std::string state_rel(std::string_view sub) {
  return std::string(kStateDirName) + "/" + std::string(sub);
}

std::string generation_rel(int64_t generation) {
  return state_rel("gens/" + std::to_string(generation));
}

std::string slot_rel(SlotArea area, uint64_t slot, int64_t generation, uint64_t txn) {
  std::string n = std::to_string(slot);
  switch (area) {
    case SlotArea::stage:
      return state_rel("txn/stage/" + n);
    case SlotArea::trash:
      return state_rel("txn/trash/" + n);
    case SlotArea::snapshot:
      return generation_rel(generation) + "/snap/" + n;
    case SlotArea::rescued:
      return state_rel("rescued/" + std::to_string(generation) + "-" + std::to_string(txn) + "-" +
                       n);
    case SlotArea::none:
      break;
  }
  return {};
}

Result<std::string> state_abs(const TargetFs& fs, std::string_view sub) {
  BC_ASSIGN_OR_RETURN(auto st, fs.lstat(kStateDirName));
  if (!st) {
    BC_RETURN_IF_ERROR(fs.make_dir(kStateDirName, 0700));
  } else if (!S_ISDIR(st->st_mode)) {
    return Status::invalid_argument(fs.root() + "/" + kStateDirName +
                                    ": is not a directory; refusing to use it for apply state");
  }
  return fs.root() + "/" + state_rel(sub);
}

Result<TargetState> read_state(const TargetFs& fs) {
  BC_ASSIGN_OR_RETURN(std::string path, state_abs(fs, "state.json"));
  auto bytes = read_small_file(path, kMaxStateBytes);
  if (!bytes.ok()) {
    if (bytes.status().code() == Status::Code::not_found) return TargetState{};
    return bytes.status();
  }
  return decode_state(*bytes);
}

Result<GenerationRecord> read_record(const TargetFs& fs, int64_t generation) {
  BC_ASSIGN_OR_RETURN(std::string path,
                      state_abs(fs, "gens/" + std::to_string(generation) + "/record.json"));
  BC_ASSIGN_OR_RETURN(std::string bytes, read_small_file(path, kMaxStateBytes));
  return decode_record(bytes);
}

Status write_state_file(const TargetFs& fs, std::string_view sub, const std::string& bytes) {
  BC_ASSIGN_OR_RETURN(std::string path, state_abs(fs, sub));
  return write_file_atomic(path, bytes, 0600);
}

namespace {

Result<bool> exists(const TargetFs& fs, const std::string& rel) {
  BC_ASSIGN_OR_RETURN(auto st, fs.lstat(rel));
  return st.has_value();
}

// One primitive step; running it again after it completed is a no-op.
Status execute_op(const TargetFs& fs, const Op& op, int64_t generation, uint64_t txn) {
  switch (op.kind) {
    case OpKind::move_out: {
      std::string slot = slot_rel(op.area, op.slot, generation, txn);
      BC_ASSIGN_OR_RETURN(bool done, exists(fs, slot));
      if (done) return Status();
      BC_ASSIGN_OR_RETURN(bool present, exists(fs, op.path));
      if (!present) return Status();  // gone already (by someone else): nothing to keep
      if (op.area == SlotArea::rescued) BC_RETURN_IF_ERROR(fs.make_dir(state_rel("rescued"), 0700));
      return fs.rename_noreplace(op.path, slot);
    }
    case OpKind::move_in: {
      std::string slot = slot_rel(op.area, op.slot, generation, txn);
      BC_ASSIGN_OR_RETURN(bool pending, exists(fs, slot));
      if (!pending) return Status();
      return fs.rename_noreplace(slot, op.path);
    }
    case OpKind::make_dir:
      return fs.make_dir(op.path, op.mode);
    case OpKind::remove_dir:
      return fs.remove_dir_if_empty(op.path);
    case OpKind::set_mode:
      return fs.set_mode(op.path, op.mode);
  }
  return Status::internal("unknown op");
}

// Stamps for the new state's files: fresh for what this transaction wrote or
// proved by hashing; refreshed when only ctime moved (a rename or chmod of
// ours); otherwise the recorded one stays and the next scan hashes the file.
Status refresh_stamps(const TargetFs& fs, const Journal& j, TargetState& s) {
  for (auto& [path, ie] : s.installed) {
    if (ie.entry.type != EntryType::file) continue;
    BC_ASSIGN_OR_RETURN(auto st, fs.lstat(path));
    if (!st || !S_ISREG(st->st_mode)) {
      ie.stamp.reset();
      continue;
    }
    InstallStamp now = stamp_of(*st);
    if (j.fresh.count(path)) {
      ie.stamp = now;
    } else if (ie.stamp && ie.stamp->dev == now.dev && ie.stamp->ino == now.ino &&
               ie.stamp->size == now.size && ie.stamp->mtime_ns == now.mtime_ns) {
      ie.stamp = now;
    }
  }
  return Status();
}

Status sync_touched(const TargetFs& fs, const Journal& j) {
  std::set<std::string> dirs;
  for (const Op& op : j.ops) {
    dirs.insert(parent_path(op.path));
    if (op.kind == OpKind::make_dir) dirs.insert(op.path);
    if (op.area != SlotArea::none)
      dirs.insert(parent_path(slot_rel(op.area, op.slot, j.generation, j.txn)));
  }
  for (const auto& d : dirs) {
    if (d.empty()) {
      BC_RETURN_IF_ERROR(fs.fsync_dir(d));
      continue;
    }
    BC_ASSIGN_OR_RETURN(auto st, fs.lstat(d));
    if (st && S_ISDIR(st->st_mode)) BC_RETURN_IF_ERROR(fs.fsync_dir(d));
  }
  return Status();
}

Result<std::vector<int64_t>> list_generations(const TargetFs& fs) {
  std::vector<int64_t> out;
  auto d = fs.open_dir(state_rel("gens"));
  if (!d.ok())
    return d.status().code() == Status::Code::not_found ? Result<std::vector<int64_t>>(out)
                                                        : d.status();
  DIR* dir = ::fdopendir(d->get());
  if (!dir) return errno_status(state_rel("gens"), "opendir", errno);
  d->release();
  while (dirent* ent = ::readdir(dir)) {
    std::string n = ent->d_name;
    if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos || n.size() > 18)
      continue;
    out.push_back(std::stoll(n));
  }
  ::closedir(dir);
  return out;
}

// Removes snapshots older than the retention window and any generation
// newer than the committed one (a prepared apply that never committed, or
// one a rollback undid).
Status prune_generations(const TargetFs& fs, int64_t current, int keep) {
  BC_ASSIGN_OR_RETURN(auto gens, list_generations(fs));
  for (int64_t g : gens)
    if (g > current || g <= current - keep) BC_RETURN_IF_ERROR(fs.remove_tree(generation_rel(g)));
  return Status();
}

}  // namespace

Status run_journal(const TargetFs& fs, const Journal& j, const ExecutorOptions& o) {
  for (size_t i = 0; i < j.ops.size(); ++i) {
    if (o.before_step) o.before_step(i);
    const Op& op = j.ops[i];
    Status s = execute_op(fs, op, j.generation, j.txn);
    if (!s.ok())
      return s.with_context(std::string("step ") + std::to_string(i) + " (" + to_string(op.kind) +
                            " '" + printable(op.path) + "')");
  }
  if (o.at_phase) o.at_phase("executed");
  BC_RETURN_IF_ERROR(sync_touched(fs, j));
  TargetState s = j.new_state;
  s.txn = j.txn;
  BC_RETURN_IF_ERROR(refresh_stamps(fs, j, s));
  BC_RETURN_IF_ERROR(write_state_file(fs, "state.json", encode_state(s)));
  if (o.at_phase) o.at_phase("committed");
  BC_RETURN_IF_ERROR(fs.remove_tree(state_rel("txn")));
  return prune_generations(fs, s.generation, o.keep_generations);
}

Status recover(const TargetFs& fs, const ExecutorOptions& o, std::string* what) {
  if (what) what->clear();
  BC_ASSIGN_OR_RETURN(TargetState state, read_state(fs));
  BC_ASSIGN_OR_RETURN(std::string journal_path, state_abs(fs, "txn/journal.json"));
  auto bytes = read_small_file(journal_path, kMaxStateBytes);
  if (bytes.ok()) {
    BC_ASSIGN_OR_RETURN(Journal j, decode_journal(*bytes));
    if (j.txn == state.txn) {
      if (what) *what = "cleaned up a committed transaction";
      BC_RETURN_IF_ERROR(fs.remove_tree(state_rel("txn")));
      return prune_generations(fs, state.generation, o.keep_generations);
    }
    if (what)
      *what = std::string("finished an interrupted ") +
              (j.kind == TxnKind::apply ? "apply" : "rollback");
    ExecutorOptions quiet;
    quiet.keep_generations = o.keep_generations;
    return run_journal(fs, j, quiet);
  }
  if (bytes.status().code() != Status::Code::not_found) return bytes.status();
  BC_ASSIGN_OR_RETURN(bool txn_left, exists(fs, state_rel("txn")));
  if (txn_left && what) *what = "discarded an unprepared transaction";
  BC_RETURN_IF_ERROR(fs.remove_tree(state_rel("txn")));
  return prune_generations(fs, state.generation, o.keep_generations);
}

}  // namespace bc
