// SHA-256 (OpenSSL, which uses SHA-NI where the CPU has it) and the
// BitTorrent v2 (BEP 52) per-file merkle tree over 16 KiB blocks.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc {

using Sha256Digest = std::array<uint8_t, 32>;
inline constexpr size_t kMerkleBlockBytes = 16 * 1024;

// One-shot SHA-256 on a per-thread reused context.
Sha256Digest sha256(std::span<const uint8_t> bytes);
bool is_zero(const Sha256Digest& d);

// Incremental SHA-256. Not thread-safe; one per thread. Reuse one object for
// many digests: a fresh one costs an allocation and an OpenSSL context.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::span<const uint8_t> bytes);
  Sha256Digest finish();  // then the object may be reused after reset()
  void reset();
  Sha256Digest digest(std::span<const uint8_t> bytes);  // reset + update + finish

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The v2 hashes of one file: its merkle root and, for files larger than one
// piece, the piece layer (one hash per piece). An empty file has an all-zero
// root and no pieces.
struct FileHashes {
  Sha256Digest root{};
  std::vector<Sha256Digest> pieces;
};

// Streams a file's bytes into its BEP 52 merkle tree. Memory is bounded by one
// piece's leaves plus the piece layer (32 bytes per piece).
// REQUIRES: piece_bytes is a power of two >= 16 KiB.
class MerkleHasher {
 public:
  explicit MerkleHasher(uint32_t piece_bytes);
  void update(std::span<const uint8_t> bytes);
  FileHashes finish();
  uint64_t bytes_seen() const { return total_; }

 private:
  void flush_block();
  void flush_piece();

  uint32_t leaves_per_piece_;
  Sha256 block_hash_;
  size_t block_fill_ = 0;
  uint64_t total_ = 0;
  std::vector<Sha256Digest> leaves_;  // of the current piece
  std::vector<Sha256Digest> pieces_;
};

// The root of a tree whose leaf layer is `leaves` padded with `pad` to `width`.
// REQUIRES: width is a power of two >= leaves.size().
Sha256Digest merkle_root(std::span<const Sha256Digest> leaves, size_t width,
                         const Sha256Digest& pad = Sha256Digest{});

// The same, computed in place: `nodes` holds the leaves on entry and scratch
// on return (no allocation). REQUIRES: width is a power of two >= nodes.size().
Sha256Digest merkle_root_in_place(std::span<Sha256Digest> nodes, size_t width,
                                  const Sha256Digest& pad = Sha256Digest{});

// The hash of a complete subtree of `leaf_count` zero leaves (BEP 52 padding).
Sha256Digest merkle_pad_hash(size_t leaf_count);

// Hashes the file at `path`. Reads in bounded chunks.
Result<FileHashes> hash_file(const std::string& path, uint32_t piece_bytes);

// Hashes an open file from its offset to its end in 1 MiB reads (EINTR is
// retried). A read error is io_error "<what>: read: <reason>". The caller
// keeps the descriptor.
Result<FileHashes> hash_fd(int fd, uint32_t piece_bytes, const std::string& what);

}  // namespace bc
