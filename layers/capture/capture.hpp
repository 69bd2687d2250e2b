// Capture: a reference directory becomes a layer (manifest + torrent). The
// payload is the tree itself: nothing is copied.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "layers/model/manifest.hpp"

namespace bc {

struct CaptureOptions {
  std::string source_dir;                      // required
  LayerRef ref;                                // required: name@version
  LayerKind kind = LayerKind::base;            // default base
  std::optional<LayerRef> parent;              // default none
  std::map<std::string, std::string> match;    // driver layers only; default none
  uint32_t piece_bytes = kDefaultPieceBytes;   // default 64 KiB (docs/architecture.md)
  unsigned threads = 0;                        // hashing threads; 0 = one per core
  int64_t created_unix_s = 0;                  // timestamp written to the manifest
  std::function<void(uint64_t done, uint64_t total)> progress;  // optional

  Status validate() const;
};

struct CapturedLayer {
  Manifest manifest;       // info_hash filled in; unsigned
  std::string torrent;     // bencoded, empty when the layer has no regular file
};

Result<CapturedLayer> capture_layer(const CaptureOptions& options);

}  // namespace bc
