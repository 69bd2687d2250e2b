#include "layers/bundle/bundle_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "layers/bundle/bundle_format.hpp"
#include "layers/util/fs.hpp"

namespace bc {

namespace {

std::span<const uint8_t> as_span(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Status errno_status(const std::string& what, const char* op) {
  return Status::io_error(what + ": " + op + ": " + std::strerror(errno));
}

Status pread_all(int fd, char* buf, size_t n, uint64_t off, const std::string& what) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, n, off_t(off));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno_status(what, "read");
    if (r == 0) return Status::corruption(what + ": ends early (changed while read?)");
    buf += r; n -= size_t(r); off += uint64_t(r);
  }
  return Status();
}

Status pwrite_all(int fd, const char* buf, size_t n, uint64_t off, const std::string& what) {
  while (n > 0) {
    ssize_t r = ::pwrite(fd, buf, n, off_t(off));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno == ENOSPC ? Status::no_space(what + ": disk full") : errno_status(what, "write");
    buf += r; n -= size_t(r); off += uint64_t(r);
  }
  return Status();
}

}  // namespace

std::string layer_file_path(const std::string& payload_dir, const std::string& bins_dir, const std::string& path) {
  const std::string pack = std::string(kPackDirName) + "/";
  if (path.rfind(pack, 0) == 0) return bins_dir + "/" + path.substr(pack.size());
  return payload_dir + "/" + path;
}

Result<ReadFd> ReadFd::open_sized(const std::string& path, uint64_t size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return errno == ENOENT ? Status::not_found(path + ": missing") : errno_status(path, "open");
  ReadFd f(fd, path);
  struct stat st{};
  if (::fstat(fd, &st) != 0) return errno_status(path, "stat");
  if (!S_ISREG(st.st_mode)) return Status::corruption(path + ": not a regular file");
  if (uint64_t(st.st_size) != size)
    return Status::corruption(path + ": " + std::to_string(st.st_size) + " bytes, the torrent says " +
                              std::to_string(size));
  return f;
}

ReadFd::~ReadFd() {
  if (fd_ >= 0) ::close(fd_);
}

// ---- writer

Result<BundleWriter> BundleWriter::create(const std::string& path) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) return Status::already_exists(path + ": exists; remove it or choose another -o");
  BundleWriter w;
  w.path_ = path;
  w.part_ = path + ".part";
  w.fd_ = ::open(w.part_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (w.fd_ < 0) return errno_status(w.part_, "create");
  w.sha_ = std::make_unique<Sha256>();
  w.buf_.reserve(kBundleBufferBytes);
  return w;
}

BundleWriter::BundleWriter(BundleWriter&& o) noexcept
    : fd_(o.fd_), path_(std::move(o.path_)), part_(std::move(o.part_)), buf_(std::move(o.buf_)),
      sha_(std::move(o.sha_)), written_(o.written_) {
  o.fd_ = -1;
}

BundleWriter::~BundleWriter() {
  if (fd_ >= 0) abandon();
}

Status BundleWriter::flush() {
  if (buf_.empty()) return Status();
  sha_->update(as_span(buf_));
  BC_RETURN_IF_ERROR(pwrite_all(fd_, buf_.data(), buf_.size(), written_ - buf_.size(), part_));
  buf_.clear();
  return Status();
}

Status BundleWriter::write(std::string_view bytes) {
  while (!bytes.empty()) {
    size_t n = std::min(bytes.size(), kBundleBufferBytes - buf_.size());
    buf_.append(bytes.substr(0, n));
    written_ += n;
    bytes.remove_prefix(n);
    if (buf_.size() == kBundleBufferBytes) BC_RETURN_IF_ERROR(flush());
  }
  return Status();
}

Status BundleWriter::copy_from(const ReadFd& in, uint64_t offset, uint64_t len) {
  BC_RETURN_IF_ERROR(flush());
  while (len > 0) {
    size_t n = size_t(std::min<uint64_t>(len, kBundleBufferBytes));
    buf_.resize(n);
    BC_RETURN_IF_ERROR(pread_all(in.fd(), buf_.data(), n, offset, in.path()));
    written_ += n;
    BC_RETURN_IF_ERROR(flush());
    offset += n;
    len -= n;
  }
  return Status();
}

Status BundleWriter::finish() {
  BC_RETURN_IF_ERROR(flush());
  Sha256Digest d = sha_->finish();
  buf_.assign(reinterpret_cast<const char*>(d.data()), d.size());
  BC_RETURN_IF_ERROR(pwrite_all(fd_, buf_.data(), buf_.size(), written_, part_));
  written_ += d.size();
  buf_.clear();
  if (::fsync(fd_) != 0) return errno_status(part_, "fsync");
  ::close(fd_);
  fd_ = -1;
  if (::rename(part_.c_str(), path_.c_str()) != 0) {
    Status s = errno_status(path_, "rename");
    ::unlink(part_.c_str());
    return s;
  }
  return Status();
}

void BundleWriter::abandon() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!part_.empty()) ::unlink(part_.c_str());
}

// ---- reader

Result<BundleReader> BundleReader::open(const std::string& path) {
  BundleReader r;
  r.path_ = path;
  r.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (r.fd_ < 0) return errno == ENOENT ? Status::not_found(path + ": no such bundle") : errno_status(path, "open");
  struct stat st{};
  if (::fstat(r.fd_, &st) != 0) return errno_status(path, "stat");
  if (!S_ISREG(st.st_mode)) return Status::invalid_argument(path + ": not a regular file");
  r.size_ = uint64_t(st.st_size);
  r.sha_ = std::make_unique<Sha256>();
  return r;
}

BundleReader::BundleReader(BundleReader&& o) noexcept
    : fd_(o.fd_), path_(std::move(o.path_)), size_(o.size_), pos_(o.pos_), sha_(std::move(o.sha_)),
      buf_(std::move(o.buf_)) {
  o.fd_ = -1;
}

BundleReader::~BundleReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status BundleReader::read(size_t n, std::string* out) {
  if (n > size_ - std::min(pos_, size_))
    return Status::corruption(path_ + ": truncated: " + std::to_string(n) + " bytes needed at offset " +
                              std::to_string(pos_) + ", the file has " + std::to_string(size_));
  out->resize(n);
  BC_RETURN_IF_ERROR(pread_all(fd_, out->data(), n, pos_, path_));
  sha_->update(as_span(*out));
  pos_ += n;
  return Status();
}

Result<uint8_t> BundleReader::u8() {
  BC_RETURN_IF_ERROR(read(1, &buf_));
  return uint8_t(buf_[0]);
}

Result<uint32_t> BundleReader::u32() {
  BC_RETURN_IF_ERROR(read(4, &buf_));
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | uint8_t(buf_[size_t(i)]);
  return v;
}

Result<uint64_t> BundleReader::u64() {
  BC_RETURN_IF_ERROR(read(8, &buf_));
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | uint8_t(buf_[size_t(i)]);
  return v;
}

Status BundleReader::read_sized(size_t max, const std::string& what, std::string* out) {
  BC_ASSIGN_OR_RETURN(uint64_t n, u64());
  if (n > max)
    return Status::corruption(path_ + ": " + what + " claims " + std::to_string(n) + " bytes, at most " +
                              std::to_string(max) + " allowed");
  return read(size_t(n), out);
}

Status BundleReader::copy_to(int out_fd, uint64_t out_offset, uint64_t len, const std::string& out_what) {
  while (len > 0) {
    size_t n = size_t(std::min<uint64_t>(len, kBundleBufferBytes));
    BC_RETURN_IF_ERROR(read(n, &buf_));
    BC_RETURN_IF_ERROR(pwrite_all(out_fd, buf_.data(), n, out_offset, out_what));
    out_offset += n;
    len -= n;
  }
  return Status();
}

Status BundleReader::check_trailer() {
  Sha256Digest want = sha_->finish();
  if (size_ - std::min(pos_, size_) != kBundleTrailerBytes)
    return Status::corruption(path_ + ": " + std::to_string(size_ - std::min(pos_, size_)) +
                              " bytes after the data, the 32-byte checksum expected");
  std::string got(kBundleTrailerBytes, '\0');
  BC_RETURN_IF_ERROR(pread_all(fd_, got.data(), got.size(), pos_, path_));
  pos_ += got.size();
  if (std::memcmp(got.data(), want.data(), want.size()) != 0)
    return Status::corruption(path_ + ": checksum mismatch: the bundle's bytes were altered or damaged in transit");
  return Status();
}

}  // namespace bc
