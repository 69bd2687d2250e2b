// Rebuilding a layer from an opened bundle plus what the importer holds, into
// a new layer directory (manifest.json, manifest.sig, layer.torrent and
// payload/ with every torrent file at its torrent path), all or nothing:
// the work happens in a staging directory beside `out_dir` that is renamed
// into place only after every byte verified, and removed on any error.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "layers/bundle/bundle_open.hpp"
#include "layers/bundle/held_source.hpp"

namespace bc {

struct ImportOptions {
  std::string out_dir;          // the layer directory to create; must not exist; required
  HeldSource* held = nullptr;   // where left-out bytes are found; null = nothing held; default null
  // Refuse unless this many bytes stay free after the import; default 0.
  uint64_t min_free_bytes = 0;
  unsigned threads = 0;         // hashing threads for the verification; 0 = one per core
  // Also create the manifest's directories and symlinks and set file modes,
  // so the directory is what `bc-layer build` makes (bc-layer verify passes);
  // nodes leave this off (their payload is the torrent's files). Default false.
  bool materialize_tree = false;
  // Called with bytes placed so far and the layer's total; default none.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct ImportReport {
  uint64_t payload_bytes = 0;        // the layer's torrent file bytes
  uint64_t bundle_bytes = 0;         // bytes taken from the bundle's data
  uint64_t held_files = 0;           // whole files taken from held ones
  uint64_t held_pieces = 0;          // pieces taken from held files
  uint64_t assembled_files = 0;      // built by prepare_payload from held content (bins of packed files)
  uint64_t held_bytes = 0;           // bytes of all three
  uint64_t reflinked_bytes = 0;      // of held_bytes: shared by FICLONE (btrfs, xfs), not copied
};

// Errors, each leaving nothing behind: already_exists (out_dir exists),
// not_found naming the bundle's parents and the files or pieces the importer
// lacks (checked before writing), no_space (statvfs of out_dir's parent
// before writing), corruption (the checksum trailer, or rebuilt bytes that
// do not hash to the signed manifest's roots), io_error.
Result<ImportReport> rebuild_bundle(OpenedBundle& bundle, const ImportOptions& options);

}  // namespace bc
