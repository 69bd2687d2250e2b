// Full verification of a layer's payload: every file's bytes against the
// manifest's merkle roots (on all cores), every entry's type, mode and symlink
// target, and the torrent against the manifest.
#pragma once

#include <functional>
#include <string>

#include "layers/model/trusted_manifest.hpp"

namespace bc {

struct VerifyOptions {
  unsigned threads = 0;  // 0 = one per core
  bool check_modes = true;  // default true: entry modes must match the manifest
  // Where the bins of packed files are; default (empty) payload_bins_dir(payload_dir).
  std::string bins_dir;
  std::function<void(uint64_t done, uint64_t total)> progress;
};

// corruption naming the first path whose content, type, mode or target
// differs, or the bin or packed file whose bytes differ; not_found for a
// missing one. Packed files are checked inside their bins (each against its
// own root) and need not exist at their paths, nor need directories that hold
// nothing but packed files (a downloaded payload does not create them). `torrent` may be empty only when the
// layer has no regular file.
Status verify_payload(const TrustedManifest& tm, const std::string& torrent,
                      const std::string& payload_dir, const VerifyOptions& options = {});

}  // namespace bc
