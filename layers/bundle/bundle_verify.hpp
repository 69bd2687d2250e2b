// The last checks of an import: every rebuilt file hashed against the signed
// torrent's merkle roots (on all cores), then optionally the manifest's tree
// shape (directories, symlinks, modes) laid over the payload.
#pragma once

#include <string>

#include "layers/model/manifest.hpp"
#include "layers/torrent/layer_torrent.hpp"

namespace bc {

// corruption naming the first file whose bytes do not hash to its root (the
// bundle or a held file was damaged); io_error when a file cannot be read.
Status verify_rebuilt(const TorrentFacts& facts, const std::string& payload_dir, unsigned threads);

// Creates the manifest's directories and symlinks under payload_dir and sets
// every directory's and unpacked file's mode (directories last, so a
// read-only one does not stop its children).
Status materialize_tree(const Manifest& m, const std::string& payload_dir);

}  // namespace bc
