// What the origin store already holds, by content: every published layer's
// payload files by merkle root, and the pieces of its multi-piece files by
// piece hash (the torrent's v2 piece layer). An upload asks it which of a new
// layer's files and pieces need not be sent. Built from the catalog (LMDB
// manifests and torrents) when an upload starts; read-only afterwards.
// What it names is only a candidate: commit re-verifies the whole layer.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "layers/crypto/sha256.hpp"
#include "layers/model/manifest.hpp"
#include "tracker/store/store.hpp"

namespace bc::tracker {

struct HeldPiece {
  uint32_t file = 0;    // index into HeldContent::paths()
  uint64_t offset = 0;  // byte offset of the piece in that file
  uint32_t length = 0;  // the piece's length (short for a file's last piece)
};

// What an upload can use, so the index stays as small as the new layer:
// file roots it has, and the paths of its multi-piece files.
struct HeldWanted {
  std::set<Sha256Digest> roots;
  std::set<std::string> piece_paths;
  uint32_t piece_bytes = 0;
  // Every piece of the parent's files is indexed (a file renamed or
  // re-laid-out since); of other layers, only files at a path in piece_paths.
  std::string parent_key;  // layer_key of the parent, or ""
  static HeldWanted from(const Manifest& m);
};

class HeldContent {
 public:
  // Indexes the published layers (retired ones too: their payloads stay in
  // the origin store), the parent first, for what `wanted` can use. Pieces
  // are indexed only for layers of the same piece size (other piece hashes
  // never match), at most `max_pieces` (default 256 Ki: ~25 MiB of index).
  static Result<HeldContent> load(const Store& store, const HeldWanted& wanted, size_t max_pieces = 256u << 10);

  // The origin path of a file with this root, or nullptr.
  const std::string* file(const Sha256Digest& root) const;
  // A held piece with this hash and length, or nullptr.
  const HeldPiece* piece(const Sha256Digest& hash, uint32_t length) const;
  const std::string& path(uint32_t file) const { return paths_[file]; }

  // Adds one layer's payload (its origin dir, manifest and torrent bytes):
  // what `wanted` can use (null: every file and piece), `all_pieces` for
  // every piece whatever its path (the parent).
  Status add_layer(const std::string& origin_dir, const std::string& manifest_bytes,
                   const std::string& torrent, uint32_t piece_bytes, size_t max_pieces,
                   const HeldWanted* wanted = nullptr, bool all_pieces = true);

 private:
  std::map<Sha256Digest, std::string> files_;
  std::vector<std::string> paths_;
  std::map<Sha256Digest, HeldPiece> pieces_;
};

}  // namespace bc::tracker
