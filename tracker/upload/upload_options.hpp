// Limits of the layer upload API ([upload] in the tracker's config;
// docs/api.md "Upload"). Plain data: the config reader fills it, the upload
// service enforces it.
#pragma once

#include <cstdint>

#include "layers/util/status.hpp"

namespace bc::tracker {

struct UploadOptions {
  // Largest layer (sum of its file sizes) an upload may claim, bytes; a
  // bigger claim is refused at start, before any work. Default 64 GiB.
  uint64_t max_layer_bytes = uint64_t(64) << 30;
  // Largest chunk (one PUT body: whole pieces of one file), bytes; default 16 MiB.
  uint64_t max_chunk_bytes = 16u << 20;
  // Largest start request (the manifest and the hex torrent), bytes; default 64 MiB.
  uint64_t max_start_bytes = 64u << 20;
  // Uploads staged at once (all admins); default 4.
  uint32_t max_concurrent = 4;
  // A staged upload untouched (no chunk, status or start) this long is
  // removed by the sweep, seconds; default 86400 (one day).
  int64_t stale_after_s = 86'400;
  // How often the sweep runs (also once at start), seconds; default 300.
  int64_t sweep_interval_s = 300;
  // Free space the data directory must keep beyond what an upload needs
  // (its staging copy and the origin copy), bytes; default 1 GiB.
  uint64_t reserve_free_bytes = uint64_t(1) << 30;

  Status validate() const {
    if (max_chunk_bytes < 16 * 1024)
      return Status::invalid_argument("upload.max_chunk_bytes must be at least 16384 (one v2 block)");
    if (max_concurrent < 1) return Status::invalid_argument("upload.max_concurrent must be at least 1");
    if (stale_after_s < 1 || sweep_interval_s < 1)
      return Status::invalid_argument("upload.stale_after_s and upload.sweep_interval_s must be at least 1");
    return Status();
  }
};

}  // namespace bc::tracker
