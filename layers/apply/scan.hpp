// The scanner: describes what is on disk at the paths a plan cares about, for
// the pure planners. It reads (lstat, readlink, readdir, and hashing when a
// stamp cannot vouch for a file) and never writes.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "layers/apply/plan.hpp"
#include "layers/apply/target_fs.hpp"

namespace bc {

// What a file at a path is expected to be, so the scanner can learn its
// content root cheaply.
struct ScanHint {
  std::optional<InstallStamp> stamp;  // when this matches, the root is stamp_root
  Sha256Digest stamp_root{};
  std::vector<uint64_t> hash_sizes;  // hash the file when its size is one of these
};

struct ScanRequest {
  std::set<std::string> paths;                // to describe; "" is the root (foreign children only)
  std::set<std::string> known;                // directories count children not in here as foreign
  std::map<std::string, ScanHint> hints;      // by path; files without a hint get no root
  uint32_t piece_bytes = kDefaultPieceBytes;  // for hashing; default 256 KiB
};

InstallStamp stamp_of(const struct stat& st);

Result<DiskView> scan_target(const TargetFs& fs, const ScanRequest& request);

// Every ancestor of every path, plus the paths themselves.
std::set<std::string> with_ancestors(const std::set<std::string>& paths);

}  // namespace bc
