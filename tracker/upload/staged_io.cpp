#include "tracker/upload/staged_io.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace bc::tracker {

namespace {
Status errno_status(const std::string& path, const char* op) {
  int e = errno;
  std::string msg = path + ": " + op + ": " + std::strerror(e);
  return e == ENOSPC || e == EDQUOT ? Status::no_space(msg) : Status::io_error(msg);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<int> open_for_write(const std::string& path, int extra_flags) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return Status::io_error(path + ": mkdir: " + ec.message());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | extra_flags, 0600);
  if (fd < 0) return errno_status(path, "open");
  return fd;
}
}  // namespace

Status write_at(const std::string& path, uint64_t offset, std::string_view bytes, bool sync) {
  BC_ASSIGN_OR_RETURN(int raw, open_for_write(path, 0));
  Fd fd(raw);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pwrite(fd.get(), bytes.data() + done, bytes.size() - done, off_t(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return errno_status(path, "pwrite");
    done += size_t(n);
  }
  if (sync && ::fdatasync(fd.get()) != 0) return errno_status(path, "fdatasync");
  return Status();
}

Status sync_filesystem(const std::string& dir) {
  int raw = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (raw < 0) return errno_status(dir, "open");
  Fd fd(raw);
  if (::syncfs(fd.get()) != 0) return errno_status(dir, "syncfs");
  return Status();
}

Status append_line(const std::string& path, std::string_view line) {
  BC_ASSIGN_OR_RETURN(int raw, open_for_write(path, O_APPEND));
  Fd fd(raw);
  if (::write(fd.get(), line.data(), line.size()) != ssize_t(line.size())) return errno_status(path, "write");
  return Status();
}

Status copy_range(int from_fd, uint64_t from_offset, int to_fd, uint64_t to_offset, uint64_t length,
                  const std::string& what) {
  loff_t in = loff_t(from_offset), out = loff_t(to_offset);
  while (length > 0) {
    ssize_t n = ::copy_file_range(from_fd, &in, to_fd, &out, length, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) break;
    if (n < 0) return errno_status(what, "copy_file_range");
    if (n == 0) return Status::corruption(what + ": the held file ended early (it changed?)");
    length -= uint64_t(n);
  }
  std::vector<char> buf(1 << 20);
  while (length > 0) {
    ssize_t n = ::pread(from_fd, buf.data(), std::min<uint64_t>(length, buf.size()), in);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n == 0 ? Status::corruption(what + ": the held file ended early") : errno_status(what, "pread");
    if (::pwrite(to_fd, buf.data(), size_t(n), out) != n) return errno_status(what, "pwrite");
    in += n, out += n, length -= uint64_t(n);
  }
  return Status();
}

Status copy_whole_file(const std::string& from, const std::string& to) {
  int in_raw = ::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in_raw < 0) return errno_status(from, "open");
  Fd in(in_raw);
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) return errno_status(from, "fstat");
  BC_ASSIGN_OR_RETURN(int out_raw, open_for_write(to, O_TRUNC));
  Fd out(out_raw);
  if (::ioctl(out.get(), FICLONE, in.get()) != 0)
    BC_RETURN_IF_ERROR(copy_range(in.get(), 0, out.get(), 0, uint64_t(st.st_size), from));
  if (::fsync(out.get()) != 0) return errno_status(to, "fsync");
  return Status();
}

Result<uint64_t> free_bytes(const std::string& path) {
  struct statvfs v {};
  if (::statvfs(path.c_str(), &v) != 0) return errno_status(path, "statvfs");
  return uint64_t(v.f_bavail) * v.f_frsize;
}

}  // namespace bc::tracker
