// The capture half of layer push: the directory becomes a built layer in the
// push cache (manifest, torrent, packed bins; the payload stays a link to the
// directory), with the same capture code as `bc-layer build`.
#pragma once

#include <string>

#include "ctl/push/layer_push.hpp"
#include "layers/model/manifest.hpp"

namespace bc::ctl {

struct PushCapture {
  Manifest manifest;
  std::string manifest_bytes;
  std::string torrent;
  std::string layer_dir;   // <cache>/<ref>/layer: its pack/ holds the bins
  std::string source_dir;  // absolute
};

// Captures `request.dir`. A cached capture of the same ref from the same
// directory lends its time stamp, so unchanged content yields the same
// manifest bytes (and the tracker resumes the same upload). `parent_manifest`
// ("" = none) is the parent's manifest, packed against as bc-layer does.
// invalid_argument for a bad name, version, kind, parent or directory.
Result<PushCapture> capture_for_push(const PushRequest& request, const std::string& parent_manifest,
                                     PushProgress* progress);

// The push cache's root for this request.
std::string push_cache_root(const PushRequest& request);

}  // namespace bc::ctl
