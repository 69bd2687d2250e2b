// What the origin store already holds, by content: every published layer's
// payload files by merkle root, and the pieces of its multi-piece files by
// piece hash (the torrent's v2 piece layer). An upload asks it which of a new
// layer's files and pieces need not be sent. Built from the catalog (LMDB
// manifests and torrents) when an upload starts; read-only afterwards.
// What it names is only a candidate: commit re-verifies the whole layer.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "layers/crypto/sha256.hpp"
#include "tracker/store/store.hpp"

namespace bc::tracker {

struct HeldPiece {
  uint32_t file = 0;    // index into HeldContent::paths()
  uint64_t offset = 0;  // byte offset of the piece in that file
  uint32_t length = 0;  // the piece's length (short for a file's last piece)
};

class HeldContent {
 public:
  // Indexes every published layer (retired ones too: their payloads stay in
  // the origin store). Pieces are indexed only for layers of `piece_bytes`
  // (piece hashes of another piece size never match), at most `max_pieces`.
  static Result<HeldContent> load(const Store& store, uint32_t piece_bytes, size_t max_pieces = 16u << 20);

  // The origin path of a file with this root, or nullptr.
  const std::string* file(const Sha256Digest& root) const;
  // A held piece with this hash and length, or nullptr.
  const HeldPiece* piece(const Sha256Digest& hash, uint32_t length) const;
  const std::string& path(uint32_t file) const { return paths_[file]; }

  // Adds one layer's payload (its origin dir, manifest and torrent bytes).
  Status add_layer(const std::string& origin_dir, const std::string& manifest_bytes,
                   const std::string& torrent, uint32_t piece_bytes, size_t max_pieces);

 private:
  std::map<Sha256Digest, std::string> files_;
  std::vector<std::string> paths_;
  std::map<Sha256Digest, HeldPiece> pieces_;
};

}  // namespace bc::tracker
