#include "layers/capture/parallel_hasher.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

namespace bc {

namespace {

struct Chunk {
  size_t job;
  uint64_t first_piece;
  uint64_t piece_count;
};

size_t next_pow2(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// Reads exactly `want` bytes unless the file ends first: a short read in the
// middle of a block would otherwise hash a partial block. Returns the bytes
// read (fewer only at end of file) or -1 with errno set.
ssize_t read_full(int fd, uint8_t* buf, size_t want, uint64_t offset) {
  size_t got = 0;
  while (got < want) {
    ssize_t n = ::pread(fd, buf + got, want - got, off_t(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    got += size_t(n);
  }
  return ssize_t(got);
}

int64_t change_ns(const struct stat& st) {
  return int64_t(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
}

// Opens a job's file for hashing. O_NONBLOCK: a path swapped for a FIFO after
// the walk must not block the open; the fstat then refuses anything but a
// regular file of the size (and ctime, when known) the walk saw.

Status open_job(const HashJob& job, int* fd_out, int64_t* change_ns_out) {
  int fd = ::open(job.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return Status::io_error(job.path + ": open: " + std::strerror(errno));
  struct stat st;
  Status s;
  if (::fstat(fd, &st) != 0)
    s = Status::io_error(job.path + ": fstat: " + std::strerror(errno));
  else if (!S_ISREG(st.st_mode))
    s = Status::aborted(job.path + ": no longer a regular file (it changed during capture)");
  else if (uint64_t(st.st_size) != job.size)
    s = Status::aborted(job.path + ": file changed size during capture (" +
                        std::to_string(job.size) + " bytes when listed, " +
                        std::to_string(st.st_size) + " now)");
  else if (job.change_ns >= 0 && change_ns(st) != job.change_ns)
    s = Status::aborted(job.path + ": file was modified after it was listed (ctime changed)");
  if (!s.ok()) {
    ::close(fd);
    return s;
  }
  *fd_out = fd;
  *change_ns_out = change_ns(st);
  return s;
}

// After a chunk is hashed: the file must still be what open_job saw.
Status check_unchanged(const HashJob& job, int fd, int64_t change_ns_at_open) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::io_error(job.path + ": fstat: " + std::strerror(errno));
  if (uint64_t(st.st_size) != job.size || change_ns(st) != change_ns_at_open)
    return Status::aborted(job.path + ": file was modified while it was being hashed");
  return Status();
}

class Run {
 public:
  Run(const std::vector<HashJob>& jobs, const ParallelHashOptions& o) : jobs_(jobs), o_(o) {
    leaves_per_piece_ = o.piece_bytes / kMerkleBlockBytes;
    const uint64_t pieces_per_chunk = std::max<uint64_t>(1, o.chunk_bytes / o.piece_bytes);
    results_.resize(jobs.size());
    for (size_t j = 0; j < jobs.size(); ++j) {
      const uint64_t pieces = (jobs[j].size + o.piece_bytes - 1) / o.piece_bytes;
      results_[j].pieces.resize(pieces);
      total_ += jobs[j].size;
      for (uint64_t p = 0; p < pieces; p += pieces_per_chunk)
        chunks_.push_back({j, p, std::min(pieces_per_chunk, pieces - p)});
    }
  }

  Result<std::vector<FileHashes>> execute() {
    unsigned n = o_.threads ? o_.threads : std::max(1u, std::thread::hardware_concurrency());
    n = std::min<unsigned>(n, std::max<size_t>(1, chunks_.size()));
    std::vector<std::thread> workers;
    for (unsigned i = 0; i < n; ++i) workers.emplace_back([this] { work(); });
    {
      std::unique_lock lock(mu_);
      while (finished_workers_ < workers.size()) {
        cv_.wait_for(lock, std::chrono::milliseconds(200));
        if (o_.progress) {
          lock.unlock();
          o_.progress(done_bytes_.load(), total_);
          lock.lock();
        }
      }
    }
    for (auto& t : workers) t.join();
    if (!error_.ok()) return error_;
    if (o_.progress) o_.progress(total_, total_);
    finish_roots();
    return std::move(results_);
  }

 private:
  void work() {
    // Per-thread state, reused for every chunk: no allocation while hashing.
    Scratch scratch;
    scratch.buf.resize(std::max<size_t>(o_.read_bytes, kMerkleBlockBytes) / kMerkleBlockBytes *
                       kMerkleBlockBytes);
    scratch.leaves.reserve(leaves_per_piece_);
    for (;;) {
      size_t i = next_.fetch_add(1);
      if (i >= chunks_.size() || failed_.load()) break;
      Status s = hash_chunk(chunks_[i], scratch);
      if (!s.ok()) {
        std::lock_guard lock(mu_);
        if (error_.ok()) error_ = s;
        failed_ = true;
      }
    }
    std::lock_guard lock(mu_);
    ++finished_workers_;
    cv_.notify_all();
  }

  struct Scratch {
    std::vector<uint8_t> buf;           // read buffer, whole blocks
    std::vector<Sha256Digest> leaves;   // of the current piece
    Sha256 block_hash;                  // one reused context
  };

  Status hash_chunk(const Chunk& c, Scratch& scratch) {
    std::vector<uint8_t>& buf = scratch.buf;
    std::vector<Sha256Digest>& leaves = scratch.leaves;
    leaves.clear();
    const HashJob& job = jobs_[c.job];
    int fd = -1;
    int64_t change_ns_at_open = 0;
    BC_RETURN_IF_ERROR(open_job(job, &fd, &change_ns_at_open));
    uint64_t offset = c.first_piece * o_.piece_bytes;
    const uint64_t end = std::min(job.size, (c.first_piece + c.piece_count) * o_.piece_bytes);
    ::posix_fadvise(fd, off_t(offset), off_t(end - offset), POSIX_FADV_SEQUENTIAL);
    uint64_t piece = c.first_piece;
    Status status;
    while (offset < end) {
      const size_t want = size_t(std::min<uint64_t>(buf.size(), end - offset));
      const ssize_t n = read_full(fd, buf.data(), want, offset);
      if (n < ssize_t(want)) {
        status = n >= 0 ? Status::aborted(job.path + ": file shrank while it was being hashed")
                        : Status::io_error(job.path + ": read: " + std::strerror(errno));
        break;
      }
      for (size_t at = 0; at < size_t(n); at += kMerkleBlockBytes) {
        size_t len = std::min<size_t>(kMerkleBlockBytes, size_t(n) - at);
        leaves.push_back(scratch.block_hash.digest(std::span<const uint8_t>(buf.data() + at, len)));
        const uint64_t pos = offset + at + len;
        if (leaves.size() == leaves_per_piece_ || pos == end) {
          finish_piece(c.job, piece++, leaves);
          leaves.clear();
        }
      }
      offset += uint64_t(n);
      done_bytes_ += uint64_t(n);
    }
    if (status.ok() && c.first_piece + c.piece_count == results_[c.job].pieces.size()) {
      // The last chunk of a file checks that it did not grow meanwhile.
      uint8_t probe;
      if (::pread(fd, &probe, 1, off_t(job.size)) > 0)
        status = Status::aborted(job.path + ": file grew while it was being hashed");
    }
    if (status.ok()) status = check_unchanged(job, fd, change_ns_at_open);
    ::close(fd);
    return status;
  }

  // Consumes `leaves` (used as scratch by the in-place reduction).
  void finish_piece(size_t job, uint64_t piece, std::vector<Sha256Digest>& leaves) {
    auto& pieces = results_[job].pieces;
    // A file within one piece: the tree is only as wide as the file needs.
    const size_t width = pieces.size() == 1 ? next_pow2(leaves.size()) : leaves_per_piece_;
    pieces[piece] = merkle_root_in_place(leaves, width);
  }

  void finish_roots() {
    const Sha256Digest pad = merkle_pad_hash(leaves_per_piece_);
    for (auto& r : results_) {
      if (r.pieces.empty()) continue;  // empty file: zero root
      if (r.pieces.size() == 1) {
        r.root = r.pieces[0];
        r.pieces.clear();
      } else {
        r.root = merkle_root(r.pieces, next_pow2(r.pieces.size()), pad);
      }
    }
  }

  const std::vector<HashJob>& jobs_;
  const ParallelHashOptions& o_;
  uint32_t leaves_per_piece_ = 0;
  uint64_t total_ = 0;
  std::vector<Chunk> chunks_;
  std::vector<FileHashes> results_;
  std::atomic<size_t> next_{0};
  std::atomic<uint64_t> done_bytes_{0};
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  size_t finished_workers_ = 0;
  Status error_;
};

}  // namespace

Result<std::vector<FileHashes>> hash_files_parallel(const std::vector<HashJob>& jobs,
                                                    const ParallelHashOptions& options) {
  if (options.piece_bytes < kMerkleBlockBytes || (options.piece_bytes & (options.piece_bytes - 1)))
    return Status::invalid_argument("piece size must be a power of two >= 16 KiB");
  Run run(jobs, options);
  return run.execute();
}

}  // namespace bc
