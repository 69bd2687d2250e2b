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
  // Pack files below kPackBelowBytes into bins (layers/model/pack.hpp);
  // default true. false keeps every file a file of the torrent (for
  // measurements against the unpacked layout).
  bool pack_small_files = true;
  // The previous version's manifest, to pack against (assign_bins with a
  // parent): its unchanged bins are kept and changed small files are packed
  // apart from unchanged ones. Default none. Must be validated (decoded).
  std::optional<Manifest> pack_against;
  // Compression on the wire (docs/architecture.md "Compression on the
  // wire"); default true: a schema 3 manifest, small files in bins of
  // 256 KiB, large compressible files chunked, every bin zstd unless it
  // saves < 3%. false (--compress=none) writes schema 2, which nodes of the
  // previous release read. Needs pack_small_files.
  bool compress = true;
  uint32_t chunk_bytes = kDefaultChunkBytes;   // schema 3 chunk size (raw)
  int64_t created_unix_s = 0;                  // timestamp written to the manifest
  std::function<void(uint64_t done, uint64_t total)> progress;  // optional

  Status validate() const;
};

struct CapturedLayer {
  Manifest manifest;       // info_hash and bins filled in; unsigned
  std::string torrent;     // bencoded, empty when the layer has no regular file
};

// Errors beyond the walk's: invalid_argument when the tree has the reserved
// top-level name ".bc-pack"; corruption when a small file changes between its
// hashing and packing. The bins are not written: write_pack_bins does that.

Result<CapturedLayer> capture_layer(const CaptureOptions& options);

}  // namespace bc
