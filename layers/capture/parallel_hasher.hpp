// Computes the BEP 52 hashes of many files on several threads. Work is split
// into chunks of whole pieces, so one large file keeps every core busy and
// many small files do too. Memory is bounded by one read buffer per thread plus
// the piece layers (32 bytes per piece).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "layers/crypto/sha256.hpp"
#include "layers/model/manifest.hpp"

namespace bc {

struct HashJob {
  std::string path;  // absolute
  uint64_t size = 0; // expected; a file that changed size while hashed is an error
  // Expected status-change time (ctime, ns) from the walk; -1 = unknown. A file
  // whose ctime differs at open, or changes while a chunk of it is hashed, is
  // an error: it was written (or chmod-ed, linked) during capture.
  int64_t change_ns = -1;
};

struct ParallelHashOptions {
  uint32_t piece_bytes = kDefaultPieceBytes;  // power of two >= 16 KiB; default 64 KiB
  unsigned threads = 0;               // 0 = one per core; default 0
  uint64_t chunk_bytes = 64u << 20;   // work unit, rounded to whole pieces; default 64 MiB
  size_t read_bytes = 1u << 20;       // read buffer per thread; default 1 MiB
  // Called on the calling thread about every 200 ms with bytes hashed so far.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

// Hashes every job; the result has one FileHashes per job, in order. The first
// error (a file vanished, shrank, grew or could not be read) stops the work.
Result<std::vector<FileHashes>> hash_files_parallel(const std::vector<HashJob>& jobs,
                                                    const ParallelHashOptions& options);

}  // namespace bc
