#include "layers/apply/applier.hpp"

#include <optional>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "layers/apply/scan.hpp"
#include "layers/apply/stage.hpp"
#include "layers/util/fs.hpp"

namespace bc {

Status ApplyOptions::validate() const {
  if (root.empty()) return Status::invalid_argument("apply: root is required");
  if (keep_generations < 1 || keep_generations > 1000)
    return Status::invalid_argument("apply: keep_generations must be 1..1000");
  return Status();
}

namespace {

struct Session {
  TargetFs fs;
  UniqueFd lock;
  ExecutorOptions exec;
  std::string recovered;
};

// Opens the target, takes its lock, and recovers from any earlier crash.
Result<Session> open_session(const ApplyOptions& o) {
  BC_RETURN_IF_ERROR(o.validate());
  BC_ASSIGN_OR_RETURN(TargetFs fs, TargetFs::open(o.root));
  BC_ASSIGN_OR_RETURN(std::string lock_path, state_abs(fs, "lock"));
  UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (lock.get() < 0) return errno_status(lock_path, "open lock", errno);
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0)
    return Status::unavailable(o.root + ": another apply or rollback holds the target's lock");
  Session s{std::move(fs), std::move(lock), {}, {}};
  s.exec.keep_generations = o.keep_generations;
  s.exec.before_step = o.before_step;
  s.exec.at_phase = o.at_phase;
  BC_RETURN_IF_ERROR(recover(s.fs, s.exec, &s.recovered));
  return s;
}

// Writes the journal, the commit point (from here recovery finishes the
// transaction), and runs it. at_phase marks both sides for the crash tests.
Status journal_and_run(Session& ses, const Journal& j) {
  if (ses.exec.at_phase) ses.exec.at_phase("prepared");
  BC_RETURN_IF_ERROR(write_state_file(ses.fs, "txn/journal.json", encode_journal(j)));
  if (ses.exec.at_phase) ses.exec.at_phase("journaled");
  return run_journal(ses.fs, j, ses.exec);
}

uint64_t new_txn_id(uint64_t avoid) {
  std::random_device rd;
  for (;;) {
    uint64_t id = (uint64_t(rd()) << 32) ^ rd();
    if (id != 0 && id != avoid) return id;
  }
}

ScanRequest apply_scan_request(const InstalledSet& old, const MergedStack& now) {
  ScanRequest req;
  for (const auto& [path, ie] : old) {
    req.paths.insert(path);
    if (ie.entry.type != EntryType::file) continue;
    ScanHint& h = req.hints[path];
    h.stamp = ie.stamp;
    h.stamp_root = ie.entry.root;
    h.hash_sizes.push_back(ie.entry.size);
  }
  for (const auto& [path, se] : now) {
    req.paths.insert(path);
    if (se.entry.type == EntryType::file) req.hints[path].hash_sizes.push_back(se.entry.size);
  }
  req.known = req.paths;
  req.paths.insert("");  // to count the user's entries at the top
  return req;
}

TargetState next_state(const TargetState& cur, const MergedStack& now,
                       const std::vector<StackLayer>& stack) {
  TargetState s;
  s.generation = cur.generation + 1;
  for (const auto& l : stack) s.stack.push_back(l.manifest->manifest().ref().to_string());
  for (const auto& [path, se] : now) {
    InstalledEntry ie;
    ie.entry = se.entry;
    ie.owner = s.stack[se.layer];
    auto old = cur.installed.find(path);
    if (old != cur.installed.end() && old->second.entry.root == se.entry.root &&
        old->second.entry.type == se.entry.type)
      ie.stamp = old->second.stamp;
    s.installed.emplace(path, std::move(ie));
  }
  return s;
}

// Renames cannot cross filesystems (and a mount point cannot be moved): refuse
// before the journal, so a transaction never starts that could not finish.
Status check_one_filesystem(const TargetFs& fs, const std::vector<Op>& ops) {
  struct stat root_st;
  if (::fstat(fs.root_fd(), &root_st) != 0) return errno_status(fs.root(), "fstat", errno);
  for (const Op& op : ops) {
    for (std::string p = op.path;; p = parent_path(p)) {
      BC_ASSIGN_OR_RETURN(auto st, fs.lstat(p));
      if (st && st->st_dev != root_st.st_dev)
        return Status::unsupported(printable(p) + ": on another filesystem than " + fs.root() +
                                   "; a stack cannot be applied across mounts");
      if (st || p.find('/') == std::string::npos) break;
    }
  }
  return Status();
}

Status prepare_dirs(const TargetFs& fs, int64_t generation) {
  for (const char* d : {"txn", "txn/stage", "txn/trash", "gens"})
    BC_RETURN_IF_ERROR(fs.make_dir(state_rel(d), 0700));
  BC_RETURN_IF_ERROR(fs.make_dir(generation_rel(generation), 0700));
  return fs.make_dir(generation_rel(generation) + "/snap", 0700);
}

// Stages and records an apply; on any error removes what it made.
Status prepare_apply(const TargetFs& fs, const Plan& plan, const std::vector<StackLayer>& stack,
                     const GenerationRecord& record, const ApplyOptions& o) {
  std::vector<StageSource> sources;
  for (const auto& l : stack)
    sources.push_back({l.payload_dir, l.manifest->manifest().piece_size, &l.manifest->manifest(), l.bins_dir});
  Status s = prepare_dirs(fs, record.generation);
  if (s.ok()) s = stage_plan(fs, plan, sources, o.progress);
  if (s.ok())
    s = write_state_file(fs, "gens/" + std::to_string(record.generation) + "/record.json",
                         encode_record(record));
  if (s.ok()) s = fs.fsync_dir(generation_rel(record.generation));
  if (!s.ok()) {
    (void)fs.remove_tree(state_rel("txn"));
    (void)fs.remove_tree(generation_rel(record.generation));
  }
  return s;
}

}  // namespace

Result<ApplyReport> apply_stack(const ApplyOptions& o, const std::vector<StackLayer>& stack) {
  std::vector<const Manifest*> manifests;
  for (const auto& l : stack) {
    if (!l.manifest) return Status::invalid_argument("apply: stack layer without a manifest");
    manifests.push_back(&l.manifest->manifest());
  }
  BC_ASSIGN_OR_RETURN(MergedStack merged, merge_stack(manifests));
  BC_ASSIGN_OR_RETURN(Session ses, open_session(o));
  const TargetFs& fs = ses.fs;
  BC_ASSIGN_OR_RETURN(TargetState cur, read_state(fs));
  BC_ASSIGN_OR_RETURN(DiskView view, scan_target(fs, apply_scan_request(cur.installed, merged)));
  Plan plan = plan_apply(cur.installed, merged, view);
  BC_RETURN_IF_ERROR(check_one_filesystem(fs, plan.ops));

  GenerationRecord record;
  record.generation = cur.generation + 1;
  record.ops = plan.ops;
  record.prev = cur;
  Journal j;
  j.txn = new_txn_id(cur.txn);
  j.kind = TxnKind::apply;
  j.generation = record.generation;
  j.ops = plan.ops;
  j.new_state = next_state(cur, merged, stack);
  record.stack = j.new_state.stack;
  j.fresh = plan.verified;
  for (const Op& op : plan.ops)
    if (op.kind == OpKind::move_in) j.fresh.insert(op.path);

  BC_RETURN_IF_ERROR(prepare_apply(fs, plan, stack, record, o));
  BC_RETURN_IF_ERROR(journal_and_run(ses, j));
  ApplyReport rep;
  rep.generation = record.generation;
  rep.stats = plan.stats;
  rep.steps = plan.ops.size();
  rep.recovered = ses.recovered;
  return rep;
}

Result<RollbackReport> rollback_target(const ApplyOptions& o) {
  BC_ASSIGN_OR_RETURN(Session ses, open_session(o));
  const TargetFs& fs = ses.fs;
  BC_ASSIGN_OR_RETURN(TargetState cur, read_state(fs));
  if (cur.generation == 0)
    return Status::not_found(o.root + ": nothing to roll back (no stack applied)");
  auto record = read_record(fs, cur.generation);
  if (!record.ok()) {
    if (record.status().code() == Status::Code::not_found)
      return Status::not_found(o.root + ": the snapshot of generation " +
                               std::to_string(cur.generation) +
                               " is no longer kept (keep_generations); cannot roll back further");
    return record.status();
  }
  std::set<std::string> op_paths;
  for (const Op& op : record->ops) op_paths.insert(op.path);
  ScanRequest req;
  req.paths = with_ancestors(op_paths);
  req.known = created_paths(record->ops);
  for (const auto& [path, ie] : cur.installed) {
    if (ie.entry.type != EntryType::file || !req.known.count(path)) continue;
    ScanHint& h = req.hints[path];
    h.stamp = ie.stamp;
    h.stamp_root = ie.entry.root;
    h.hash_sizes.push_back(ie.entry.size);
  }
  BC_ASSIGN_OR_RETURN(DiskView view, scan_target(fs, req));
  RollbackPlan plan = plan_rollback(record->ops, cur.installed, view);
  BC_RETURN_IF_ERROR(check_one_filesystem(fs, plan.ops));

  Journal j;
  j.txn = new_txn_id(cur.txn);
  j.kind = TxnKind::rollback;
  j.generation = cur.generation;
  j.ops = plan.ops;
  j.new_state = record->prev;
  for (const char* d : {"txn", "txn/trash"}) BC_RETURN_IF_ERROR(fs.make_dir(state_rel(d), 0700));
  BC_RETURN_IF_ERROR(journal_and_run(ses, j));

  RollbackReport rep;
  rep.from_generation = cur.generation;
  rep.to_generation = record->prev.generation;
  rep.stack = record->prev.stack;
  rep.stats = plan.stats;
  for (const Op& op : plan.ops)
    if (op.area == SlotArea::rescued)
      rep.rescued.emplace_back(op.path, slot_rel(op.area, op.slot, cur.generation, j.txn));
  rep.recovered = ses.recovered;
  return rep;
}

Result<TargetStatus> target_status(const ApplyOptions& o) {
  TargetStatus st;
  auto ses = open_session(o);
  std::optional<TargetFs> busy_fs;
  if (!ses.ok()) {
    if (ses.status().code() != Status::Code::unavailable) return ses.status();
    BC_ASSIGN_OR_RETURN(TargetFs fs, TargetFs::open(o.root));  // held by a live applier
    busy_fs.emplace(std::move(fs));
    st.busy = true;
  }
  const TargetFs& fs = busy_fs ? *busy_fs : ses->fs;
  BC_ASSIGN_OR_RETURN(st.state, read_state(fs));
  for (int64_t g = st.state.generation; g > 0; --g) {
    auto r = read_record(fs, g);
    if (!r.ok()) break;
    st.rollback_to.push_back({r->prev.generation, r->prev.stack});
  }
  if (ses.ok()) st.recovered = ses->recovered;
  return st;
}

}  // namespace bc
