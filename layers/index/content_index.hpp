// The node's local content index: which bytes this node already holds, by
// BitTorrent v2 hash, so a new download can be seeded from disk before the
// network is asked (DESIGN §3 "Dedup and delta").
//
//   merkle root (32 bytes)            -> (file path, size)
//   (piece size, piece hash) (4 + 32) -> (file path, offset, length)
//
// Backed by LMDB (one environment, three named databases). Every write is one
// transaction. Entries are only recorded for payloads the caller has verified
// (a checked torrent or a payload verified against its manifest). Each entry
// records the file's size, mtime (ns) and inode at recording time; a lookup
// re-stats the file and an entry that no longer matches is stale: it is
// dropped and never returned. The index is a hint, never trust: everything
// copied from it is hashed again by libtorrent before it is used.
//
// Thread affinity: one ContentIndex per LMDB path per process; its methods may
// be called from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "layers/crypto/sha256.hpp"
#include "layers/model/trusted_manifest.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "layers/util/status.hpp"

namespace bc {

struct ContentIndexOptions {
  std::string dir;                              // LMDB environment directory (created); required
  uint64_t map_size_bytes = uint64_t(1) << 30;  // LMDB map size: the index's hard bound; default 1 GiB
  uint32_t max_candidates = 64;                 // entries examined per lookup (stale ones dropped); default 64

  Status validate() const;
};

// Where the node holds some bytes: `length` bytes at `offset` of `path`.
struct HeldLocation {
  std::string path;     // absolute path of a file recorded as verified
  uint64_t offset = 0;  // byte offset in the file
  uint64_t length = 0;  // bytes (the whole file's size for find_file)
  // Non-zero: `path` is a compressed bin, one zstd frame of this many raw
  // bytes, and offset/length count in those raw bytes (a member of a schema
  // 3 bin). The reader decodes it (prepare_payload).
  uint64_t frame_raw_size = 0;
};

struct ContentIndexStats {
  uint64_t layers = 0;
  uint64_t files = 0;
  uint64_t pieces = 0;
  uint64_t stale_dropped = 0;  // since open
};

class ContentIndex {
 public:
  // Opens (creating) the environment in options.dir.
  static Result<std::unique_ptr<ContentIndex>> open(const ContentIndexOptions& options);
  ~ContentIndex();
  ContentIndex(const ContentIndex&) = delete;
  ContentIndex& operator=(const ContentIndex&) = delete;

  // Records every payload file of a layer whose verified payload lies in
  // `payload_dir` (files at their manifest paths, bins of packed files at
  // ".bc-pack/<i>": Manifest::payload_files()). Re-recording a layer
  // replaces its entries. REQUIRES: facts describe the manifest's torrent
  // (check_torrent_matches). Errors: io_error when a file cannot be stat'ed,
  // no_space when the map is full (nothing is written then).
  Status record_layer(const TrustedManifest& layer, const std::string& payload_dir,
                      const TorrentFacts& facts);

  // Removes every entry of the layer (eviction). OK when it was not recorded.
  Status forget_layer(const LayerRef& ref);

  // A held file whose merkle root is `root`, still as recorded; nullopt when
  // none. Stale entries met on the way are dropped. A packed file is found
  // inside its bin: `offset` may then be non-zero and `length` is its size.
  Result<std::optional<HeldLocation>> find_file(const Sha256Digest& root);

  // A held piece with this v2 piece hash at this piece size; nullopt if none.
  Result<std::optional<HeldLocation>> find_piece(const Sha256Digest& piece_hash,
                                                 uint32_t piece_size);

  Result<ContentIndexStats> stats();

 private:
  struct Impl;
  explicit ContentIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bc
