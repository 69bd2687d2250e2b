// Seeding a new download from bytes the node already holds: "nothing is
// fetched that the node already holds" (DESIGN §3).
//
// Before a layer's torrent is added for download, every payload file of the
// layer (unpacked files and bins of packed files) is looked up in the content index: a file with the same merkle root held
// anywhere is copied into place whole (reflink when the filesystem can, else
// copy_file_range); a large file whose pieces (same piece size) occur in a
// held file is created at its size (sparse) and the matching pieces are copied
// to their offsets; a bin of packed files not held whole is assembled from its
// members when every one of them is held (by its own root, in any bin). Nothing here is trusted: the torrent is then added without
// resume data, so libtorrent hashes every piece on disk and only missing or bad
// pieces go to the network.
#pragma once

#include <cstdint>
#include <string>

#include "layers/index/content_index.hpp"

namespace bc {

struct PrepareReport {
  uint64_t files_copied = 0;         // whole files copied from held ones
  uint64_t file_bytes_copied = 0;
  uint64_t pieces_copied = 0;        // pieces copied into partially held files
  uint64_t piece_bytes_copied = 0;
  uint64_t files_already_present = 0;  // target existed (a resumed download): left to the check
  uint64_t bins_assembled = 0;         // bins of packed files built from members held elsewhere
  uint64_t bin_bytes_assembled = 0;

  uint64_t bytes_seeded() const { return file_bytes_copied + piece_bytes_copied + bin_bytes_assembled; }
};

// REQUIRES: facts describe layer's torrent (check_torrent_matches). Creates
// payload_dir if needed. A file that already exists at its target is left
// alone (libtorrent's check decides what it is worth). Copy failures of one
// source are not fatal (the bytes are fetched instead); errors: io_error when
// the payload directory or a target file cannot be created.
Result<PrepareReport> prepare_payload(const TrustedManifest& layer, const TorrentFacts& facts,
                                      const std::string& payload_dir, ContentIndex& index);

}  // namespace bc
