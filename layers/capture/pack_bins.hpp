// Bins of packed small files from a captured tree (layers/model/pack.hpp):
// hashing them at capture and writing them where a seed can read them.
// A built layer keeps its payload as a link to the captured tree (large files
// are never copied); its bins, which exist nowhere else, are written to the
// layer directory's "pack" directory (layers/model/layer_dir.hpp).
#pragma once

#include <string>

#include "layers/model/manifest.hpp"

namespace bc {

// Fills m.bins[*].root from the members' files at source_dir/<path>. Every
// member is read again and checked against its size and root: corruption
// naming the file when it changed since it was hashed.
// REQUIRES: assign_bins(m) ran and every member's root is set.
Status hash_bins(Manifest& m, const std::string& source_dir);

// Writes bin i to bins_dir/<i> (mode 0644, fsynced; bins_dir created) for
// every bin, each checked against the manifest (bin and member roots) before
// it is written. REQUIRES: m.validate().ok().
Status write_pack_bins(const Manifest& m, const std::string& source_dir, const std::string& bins_dir);

// write_layer_dir (layers/model/layer_dir.hpp) and the bins in DIR/pack.
Status write_built_layer(const std::string& dir, const Manifest& m, const std::string& manifest_bytes,
                         const std::string& torrent, const std::string& source_dir);

}  // namespace bc
