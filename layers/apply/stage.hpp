// Staging: copies every item a plan installs into ROOT/.branchcast/txn/stage,
// re-hashing file bytes on the way and refusing any whose merkle root or size
// differs from the manifest, so unverified bytes never reach the target. A
// packed file is read from its bin at its offset and checked against its own
// root.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "layers/apply/plan.hpp"
#include "layers/apply/target_fs.hpp"

namespace bc {

struct StageSource {
  std::string payload_dir;                    // the layer's files at their manifest paths
  uint32_t piece_bytes = kDefaultPieceBytes;  // the layer's piece size
  // The layer's manifest (for its bins); not owned, must outlive the call.
  // Required when the layer has packed files.
  const Manifest* manifest = nullptr;
  std::string bins_dir;  // where its bins are; default (empty) payload_bins_dir(payload_dir)
};

// REQUIRES: ROOT/.branchcast/txn/stage exists. Errors: corruption naming the
// file whose bytes differ; no_space when the filesystem is (or would be) full;
// not_found for a payload file that is missing. Partial staging is left for
// the caller to remove.
Status stage_plan(const TargetFs& fs, const Plan& plan, const std::vector<StageSource>& sources,
                  const std::function<void(uint64_t done, uint64_t total)>& progress);

}  // namespace bc
