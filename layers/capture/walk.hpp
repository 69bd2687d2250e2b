// Walks a reference directory into manifest entries (without content hashes).
// Never follows a symlink; refuses what a layer cannot carry, naming the path.
#pragma once

#include <string>
#include <vector>

#include "layers/model/manifest.hpp"

namespace bc {

struct WalkLimits {
  size_t max_entries = kMaxManifestEntries;  // default 2,000,000
};

struct WalkedTree {
  std::vector<Entry> entries;  // sorted by path; files have size, no root yet
  // Parallel to entries: each file's status-change time (ctime, ns) as the walk
  // saw it, 0 for other entries. Hashing compares it to catch a file written
  // after it was listed, even at the same size.
  std::vector<int64_t> change_ns;
};

// Errors (invalid_argument or io_error, the relative path and the reason in
// the message): sockets, FIFOs and device nodes ("unsupported file type"),
// names that are not UTF-8 or hold control characters, unreadable files or
// directories, more than max_entries entries. Hard links are captured as
// independent files (their content is deduplicated by merkle root anyway).
Result<WalkedTree> walk_tree(const std::string& root_dir, const WalkLimits& limits = {});

}  // namespace bc
