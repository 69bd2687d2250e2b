// What changes between two layers, and how many bytes a receiver that holds
// the first must fetch to hold the second. Pure: manifests and torrent facts
// in, a report out.
//
// Cost rule (DESIGN §3, dedup and delta): a file of B whose merkle root is the
// root of any file of A costs nothing; otherwise, when B's torrent carries its
// piece layer (larger than one piece), each piece whose hash is not among A's
// piece hashes costs its size (the last piece its real size); otherwise the
// whole file moves. A packed file costs nothing itself (reason "packed"); each
// bin of B whose root is not held by A costs its size (an entry named
// ".bc-pack/<i>", reason "bin of packed files"), unless A holds every member
// (reason "bin assembled from held files", cost 0: prepare_payload builds it).
#pragma once

#include <string>
#include <vector>

#include "layers/model/manifest.hpp"
#include "layers/torrent/layer_torrent.hpp"

namespace bc {

struct DiffChange {
  std::string path;
  std::string what;  // "content", "mode", "type", "target" (comma-separated when several)
};

struct DiffCost {
  std::string path;
  uint64_t size = 0;
  uint64_t bytes_to_move = 0;
  uint64_t pieces_total = 0;  // 0 when costed as a whole file or deduplicated
  uint64_t pieces_new = 0;
  std::string reason;  // "held (same root)", "pieces", "whole file", "empty"
};

struct LayerDiff {
  std::vector<std::string> added, removed;
  std::vector<DiffChange> changed;
  uint64_t b_file_bytes = 0;    // all regular-file bytes of B
  uint64_t bytes_to_move = 0;   // what a holder of A still needs
  std::vector<DiffCost> costs;  // one per file of B that is added or changed
};

// `ta`/`tb` may be null for a layer without regular files.
LayerDiff diff_layers(const Manifest& a, const TorrentFacts* ta, const Manifest& b,
                      const TorrentFacts* tb);

}  // namespace bc
