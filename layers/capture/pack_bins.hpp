// Bins from a captured tree (layers/model/pack.hpp): bins of packed small
// files and, in schema 3, the chunks of large compressible files; encoding
// and hashing them at capture and writing them where a seed can read them.
// A built layer keeps its payload as a link to the captured tree (large raw
// files are never copied); its bins, which exist nowhere else, are written
// to the layer directory's "pack" directory (layers/model/layer_dir.hpp).
#pragma once

#include <string>
#include <vector>

#include "layers/model/manifest.hpp"

namespace bc {

// Schema 3: makes every large file (not packed, at least kPackBelowBytesV3)
// whose first chunk compresses (sample_compresses) a chunked file
// (chunk_file). Reads the first chunk of each.
Status chunk_compressible_files(Manifest& m, const std::string& source_dir);

// Encodes every bin (schema 3: zstd when it saves enough, else raw) and
// fills m.bins[*] (size, root, codec, raw_size) from the members' files at
// source_dir/<path>; returns the bins' hashes (root and piece layer) in bin
// order. Every member is read again and checked against its root:
// corruption naming the file when it changed since it was hashed.
// `threads` 0 = one per core.
// REQUIRES: assign_bins (and chunk_compressible_files) ran; members' roots set.
Result<std::vector<FileHashes>> hash_bins(Manifest& m, const std::string& source_dir, unsigned threads = 0);

// Writes bin i's wire bytes to bins_dir/<i> (mode 0644, fsynced; bins_dir
// created) for every bin, each checked against the manifest (bin and member
// roots) before it is written. REQUIRES: m.validate().ok().
Status write_pack_bins(const Manifest& m, const std::string& source_dir, const std::string& bins_dir,
                       unsigned threads = 0);

// write_layer_dir (layers/model/layer_dir.hpp) and the bins in DIR/pack.
Status write_built_layer(const std::string& dir, const Manifest& m, const std::string& manifest_bytes,
                         const std::string& torrent, const std::string& source_dir);

}  // namespace bc
