// The synthetic content of a scenario layer, decided from the scenario seed:
// which files a version holds, their sizes, and which bytes version 2 changes.
// Pure; layer_writer.hpp turns a plan into files on disk.
//
// Version 1: each file-mix class gets share × size bytes in files of its size
// (the last file of a class holds the remainder), under c<class>/d<nnn>/.
// Version 2 changes v2_change_ratio × size bytes in three ways, as real image
// updates do: block-aligned 64 KiB ranges rewritten inside large files (the
// other pieces keep their hashes, so held content seeds them), small files
// replaced whole, and new files added under new/. Contents are a function of
// (seed, layer, file, block, variant) only, so a block unchanged between
// versions has identical bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "layers/util/status.hpp"
#include "netsim/scenario/scenario.hpp"

namespace bc::netsim {

// The unit of rewrites: one piece of the default piece size.
inline constexpr std::uint64_t kPlanBlockBytes = 64 * 1024;
// Files of at least this many blocks count as large (rewritten in place).
inline constexpr std::uint64_t kLargeFileBlocks = 4;
// Bound on the files of one planned layer.
inline constexpr std::size_t kMaxPlannedFiles = 1'000'000;

struct PlannedFile {
  std::string path;                  // relative, '/'-separated
  std::uint64_t size_bytes = 0;
  std::uint64_t content_key = 0;     // seeds every block not listed below
  std::vector<std::uint64_t> rewritten_blocks;  // sorted block indices with new bytes
  std::uint64_t rewrite_key = 0;     // seeds the rewritten blocks
};

struct LayerPlan {
  std::string name;
  int version = 1;
  std::vector<PlannedFile> files;
  std::uint64_t total_bytes = 0;
  std::uint64_t changed_bytes = 0;   // version 2: bytes not in version 1 (0 for version 1)
};

// REQUIRES: layer from a validated scenario; version 1, or 2 when
// v2_change_ratio is set. invalid_argument otherwise; resource_exhausted-like
// invalid_argument when the plan would exceed kMaxPlannedFiles.
Result<LayerPlan> plan_layer(const LayerDef& layer, std::uint64_t seed, int version);

// Fills `out` with the bytes of one block: a keyed pseudo-random stream
// (incompressible, so the WAN carries every byte).
void fill_block(std::uint64_t key, std::uint64_t block_index, std::span<char> out);

}  // namespace bc::netsim
