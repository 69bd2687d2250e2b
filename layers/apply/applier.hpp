// Apply and rollback of layer stacks on a target tree: the public face of
// layers/apply. Each call takes the target's lock, first finishes or discards
// whatever a crash left (executor.hpp), then does its work as one journaled
// transaction: after a crash the tree is either wholly before or wholly after.
//
// Thread/process safety: one call at a time per target (flock on
// ROOT/.branchcast/lock; a second caller gets `unavailable`).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "layers/apply/executor.hpp"
#include "layers/model/trusted_manifest.hpp"

namespace bc {

// One layer of a stack: a verified manifest and where its bytes are.
struct StackLayer {
  const TrustedManifest* manifest = nullptr;  // not owned; must outlive the call
  std::string payload_dir;                    // files at their manifest paths
  std::string bins_dir;  // its bins of packed files; default (empty) payload_bins_dir(payload_dir)
};

struct ApplyOptions {
  std::string root;          // the target tree; required, must exist
  int keep_generations = 3;  // snapshots kept for rollback (1..1000); default 3
  std::function<void(uint64_t done, uint64_t total)> progress;  // staging bytes; optional
  // Test-only hooks, see ExecutorOptions.
  std::function<void(size_t step)> before_step;
  std::function<void(const char* phase)> at_phase;

  Status validate() const;
};

struct ApplyReport {
  int64_t generation = 0;  // the generation now applied
  PlanStats stats;
  size_t steps = 0;       // primitive ops run
  std::string recovered;  // what recovery did first, empty if nothing
};

// Applies `stack` (base first; later layers win). Errors: invalid_argument for
// a manifest owning ".branchcast"; corruption when a payload file's bytes do
// not match; no_space when staging does not fit; in all three the target is
// untouched. io_error/unsupported from the filesystem.
Result<ApplyReport> apply_stack(const ApplyOptions& options, const std::vector<StackLayer>& stack);

struct RollbackReport {
  int64_t from_generation = 0, to_generation = 0;
  std::vector<std::string> stack;  // now applied (empty: the original tree)
  RollbackStats stats;
  std::vector<std::pair<std::string, std::string>> rescued;  // path -> where its data went
  std::string recovered;
};

// Returns the target to the state before the current generation. not_found
// when nothing is applied or that generation's snapshot was pruned.
Result<RollbackReport> rollback_target(const ApplyOptions& options);

struct GenerationInfo {
  int64_t generation = 0;
  std::vector<std::string> stack;
};
struct TargetStatus {
  TargetState state;
  std::vector<GenerationInfo> rollback_to;  // newest first: what each rollback would restore
  std::string recovered;
  // Another process (the agent) holds the target's lock, applying or rolling
  // back right now: `state` is the last committed generation, read without
  // the lock and without crash recovery (state is replaced atomically).
  bool busy = false;
};
// Never waits for a running apply: see TargetStatus::busy.
Result<TargetStatus> target_status(const ApplyOptions& options);

}  // namespace bc
