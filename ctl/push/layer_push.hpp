// Pushes a layer from a directory on the administrator's machine to the
// tracker over its HTTPS API: captures it (the same capture code as
// `bc-layer build`), asks the tracker which content it already holds, uploads
// only what it lacks in bounded, verified, resumable chunks, and asks the
// tracker to verify, sign and publish the whole layer atomically.
// Re-running the same push after a cut connection or a killed client
// continues where it stopped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "layers/util/status.hpp"
#include "tracker/client/http_client.hpp"

namespace bc::ctl {

// Where to push and as whom: the tracker's address with its pinned CA, and
// an admin bearer token of role operator or more.
struct TrackerTarget {
  tracker::HttpClientOptions http;
  std::string token;
};

struct PushRequest {
  std::string dir;      // the layer's root on this machine
  std::string name;     // layer name
  std::string version;  // layer version
  std::string kind;     // base | app | driver | ... (as bc-layer build)
  std::string parent;   // "" or NAME@VERSION of the layer this one updates
  // Where captures are kept between runs (a re-run reuses the capture's
  // time stamp, so unchanged content resumes the same upload): "" =
  // $XDG_CACHE_HOME/branchcast/push, else ~/.cache/branchcast/push. Each
  // layer in <cache>/<NAME>@<VERSION>/ (its manifest, torrent, packed bins).
  std::string cache_dir;
  // Bytes per chunk (one PUT of whole pieces); 0 = the tracker's
  // [upload] max_chunk_bytes; always at least one piece.
  uint64_t chunk_bytes = 0;
};

// Progress callbacks; all optional. Called on the pushing thread.
class PushProgress {
 public:
  virtual ~PushProgress() = default;
  virtual void phase(std::string_view /*what*/) {}                      // "capturing", "uploading", ...
  virtual void bytes(uint64_t /*done*/, uint64_t /*total*/) {}          // within the current phase
};

struct PushResult {
  std::string ref;              // NAME@VERSION as published
  uint64_t content_bytes = 0;   // the layer's file bytes
  uint64_t sent_bytes = 0;      // payload bytes this run uploaded
  uint64_t reused_bytes = 0;    // bytes the tracker already held (dedup) or held from an earlier run
  bool resumed = false;         // continued an earlier, interrupted push
};

Result<PushResult> push_layer(const TrackerTarget& target, const PushRequest& request, PushProgress* progress);

}  // namespace bc::ctl
