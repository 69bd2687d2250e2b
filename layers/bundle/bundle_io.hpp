// Streaming reads and writes of bundle files with a running SHA-256 (the
// trailer), in bounded buffers: memory does not grow with the layer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "layers/crypto/sha256.hpp"
#include "layers/util/status.hpp"

namespace bc {

inline constexpr size_t kBundleBufferBytes = 1u << 20;

// Where a layer directory keeps the torrent file at `path`: bins of packed
// files (".bc-pack/<i>") under bins_dir, everything else under payload_dir.
std::string layer_file_path(const std::string& payload_dir, const std::string& bins_dir, const std::string& path);

// An open, read-only regular file (never a symlink's target at the last
// component, never a FIFO). Closed on destruction.
class ReadFd {
 public:
  // corruption when `path` is not a regular file of exactly `size` bytes.
  static Result<ReadFd> open_sized(const std::string& path, uint64_t size);
  ReadFd(ReadFd&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) { o.fd_ = -1; }
  ReadFd& operator=(ReadFd&&) = delete;
  ~ReadFd();
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  ReadFd(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

class BundleWriter {
 public:
  // Creates `path`.part; already_exists when `path` exists.
  static Result<BundleWriter> create(const std::string& path);
  BundleWriter(BundleWriter&&) noexcept;
  ~BundleWriter();
  Status write(std::string_view bytes);
  // Appends `len` bytes of `in` from `offset`.
  Status copy_from(const ReadFd& in, uint64_t offset, uint64_t len);
  // Writes the trailer, fsyncs and renames the part file into place.
  Status finish();
  void abandon();  // removes the part file
  uint64_t bytes_written() const { return written_; }

 private:
  BundleWriter() = default;
  Status flush();
  int fd_ = -1;
  std::string path_, part_;
  std::string buf_;
  std::unique_ptr<Sha256> sha_;
  uint64_t written_ = 0;
};

class BundleReader {
 public:
  static Result<BundleReader> open(const std::string& path);
  BundleReader(BundleReader&&) noexcept;
  ~BundleReader();
  uint64_t file_bytes() const { return size_; }
  uint64_t position() const { return pos_; }
  const std::string& path() const { return path_; }
  // corruption "truncated" when the file ends first.
  Status read(size_t n, std::string* out);
  Result<uint8_t> u8();
  Result<uint32_t> u32();
  Result<uint64_t> u64();
  // A u64 length then that many bytes; corruption when over `max`.
  Status read_sized(size_t max, const std::string& what, std::string* out);
  // Copies `len` bytes to `out_fd` at `out_offset`.
  Status copy_to(int out_fd, uint64_t out_offset, uint64_t len, const std::string& out_what);
  // Reads the trailer and checks it against everything read so far, and that
  // nothing follows it. REQUIRES: every byte before the trailer was read.
  Status check_trailer();

 private:
  BundleReader() = default;
  int fd_ = -1;
  std::string path_;
  uint64_t size_ = 0, pos_ = 0;
  std::unique_ptr<Sha256> sha_;
  std::string buf_;
};

}  // namespace bc
