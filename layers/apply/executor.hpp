// The executor: carries out a journaled transaction on a target tree, and
// recovers one a crash left behind.
//
// Protocol (docs/architecture.md, "Apply and rollback"):
//   1. prepare: stage verified content under txn/stage (apply only);
//   2. write txn/journal.json atomically — from here the transaction must finish;
//   3. run the ops in order; each is idempotent and its completion visible on
//      disk (a move is done iff its source is gone; slots are unique per op);
//   4. fsync touched directories, write state.json atomically (the commit
//      point: state.txn == journal.txn), then remove txn/.
// Recovery: a journal whose txn is not yet in state.json is run to the end; a
// txn/ without a journal is discarded (staging removed; the tree was never
// touched before the journal existed).
#pragma once

#include <functional>
#include <string>

#include "layers/apply/state.hpp"
#include "layers/apply/target_fs.hpp"

namespace bc {

struct ExecutorOptions {
  int keep_generations = 3;  // snapshots kept for rollback; default 3
  // Test-only: called before op `step` runs (also when it is already done).
  std::function<void(size_t step)> before_step;
  // Test-only: called at "prepared" (staged, no journal yet), "journaled",
  // "executed" (ops done, not committed) and "committed" (before cleanup).
  std::function<void(const char* phase)> at_phase;
};

// Paths under the target root (relative).
std::string state_rel(std::string_view sub);  // ".branchcast/<sub>"
// Snapshot slots belong to `generation`; rescued slots also carry the
// transaction id, so a later rollback of a reused generation number never
// finds an old rescued item under its slot name.
std::string slot_rel(SlotArea area, uint64_t slot, int64_t generation, uint64_t txn = 0);
std::string generation_rel(int64_t generation);  // ".branchcast/gens/<G>"

// Absolute path of ".branchcast/<sub>" after checking that .branchcast is a
// real directory (created, mode 0700, when missing).
Result<std::string> state_abs(const TargetFs& fs, std::string_view sub);

Result<TargetState> read_state(const TargetFs& fs);  // empty state when none
Result<GenerationRecord> read_record(const TargetFs& fs, int64_t generation);
Status write_state_file(const TargetFs& fs, std::string_view sub, const std::string& bytes);

// Runs a journal that has been written, commits it and cleans up.
Status run_journal(const TargetFs& fs, const Journal& journal, const ExecutorOptions& options);

// Finishes or discards what a crash left. *what says which (may be null).
Status recover(const TargetFs& fs, const ExecutorOptions& options, std::string* what);

}  // namespace bc
