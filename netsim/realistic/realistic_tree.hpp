// Realistic layer content: a real Debian root (or a subset of it) copied
// into a directory that capture then turns into a layer. The roots come from
// scripts/realistic-roots.sh (mmdebstrap from Debian's archive, cached in
// /var/cache/branchcast/roots/{v1,v2}; this machine's /usr when the archive
// cannot be reached): v1 a server's base, v2 the same with packages added and
// upgraded. Used by bc-netsim emulate (content = "realistic"), the benches
// (--content realistic) and tests (tests/support/realistic_tree.hpp).
//
// The subset is deterministic and the same for both versions: an entry is
// kept when the FNV-1a hash of its path below the copied directory falls in
// the first `fraction` of the 64-bit hash space, so a file kept from v1 is
// kept from v2 too and the v1 -> v2 change of the subset is a sample of the
// whole root's. Directories are always kept.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "layers/util/status.hpp"

namespace bc::netsim {

// Where scripts/realistic-roots.sh caches the roots by default.
inline constexpr char kDefaultRootsDir[] = "/var/cache/branchcast/roots";

struct RealisticRoots {
  std::string v1, v2;  // absolute directories
  // True when the cache holds the /usr fallback, not Debian roots (the script
  // writes FALLBACK into the cache then).
  bool usr_fallback = false;
};

// The roots cached in `cache_dir` (v1 and v2 with their .done markers).
// not_found naming the directory and the command that makes them otherwise.
Result<RealisticRoots> find_realistic_roots(const std::string& cache_dir);

// True when an entry at `rel_path` is kept at this fraction (1 keeps all).
bool subset_keeps(std::string_view rel_path, double fraction);

struct SubsetOptions {
  std::string root;         // required: a root directory (roots.v1 or roots.v2)
  std::string subtree;      // the directory below root to copy; "" = the whole root
  double fraction = 1.0;    // (0, 1]: the share of entries kept (by path hash); default all
};

struct SubsetStats {
  std::uint64_t files = 0, bytes = 0, symlinks = 0, dirs = 0;
  // Left out: sockets, FIFOs, devices and names capture refuses (not UTF-8,
  // control bytes, backslashes, direction marks, > 240 bytes).
  std::uint64_t skipped = 0;
};

// Copies the kept regular files (with their modes), symlinks (verbatim) and
// every directory of root/subtree into `dest`, which must not exist.
// invalid_argument for a bad option, not_found when root/subtree is missing,
// io_error naming the path on a failed read or write.
Result<SubsetStats> copy_subset(const SubsetOptions& options, const std::string& dest);

}  // namespace bc::netsim
