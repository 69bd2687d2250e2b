#include "layers/bundle/held_copy.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace bc {

namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() { if (fd >= 0) ::close(fd); }
};

Status copy_range(int src, uint64_t src_off, int dst, uint64_t dst_off, uint64_t len, const std::string& what) {
  loff_t in = loff_t(src_off), out = loff_t(dst_off);
  while (len > 0) {
    ssize_t n = ::copy_file_range(src, &in, dst, &out, size_t(std::min<uint64_t>(len, 1u << 30)), 0);
    if (n > 0) { len -= uint64_t(n); continue; }
    if (n == 0) return Status::io_error(what + ": the held file is shorter than recorded");
    if (errno == EINTR) continue;
    if (errno == ENOSPC) return Status::no_space(what + ": disk full");
    if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL)
      return Status::io_error(what + ": copy_file_range: " + std::strerror(errno));
    std::vector<char> buf(size_t(std::min<uint64_t>(len, 1u << 20)));
    while (len > 0) {
      ssize_t r = ::pread(src, buf.data(), size_t(std::min<uint64_t>(len, buf.size())), in);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return Status::io_error(what + ": read of the held file failed");
      if (::pwrite(dst, buf.data(), size_t(r), out) != r) return Status::io_error(what + ": write failed");
      in += r; out += r; len -= uint64_t(r);
    }
  }
  return Status();
}

}  // namespace

Result<bool> copy_held(const HeldLocation& from, int dst_fd, uint64_t dst_offset, bool whole_target,
                       const std::string& dst_what) {
  const std::string what = dst_what + " from " + from.path;
  Fd src(::open(from.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (src.fd < 0) return Status::io_error(what + ": open: " + std::strerror(errno));
  struct stat st{};
  if (::fstat(src.fd, &st) != 0 || !S_ISREG(st.st_mode))
    return Status::io_error(what + ": not a regular file");
  if (whole_target && from.offset == 0 && uint64_t(st.st_size) == from.length && ::ioctl(dst_fd, FICLONE, src.fd) == 0)
    return true;
  if (from.length > 0) {
    file_clone_range r{};
    r.src_fd = src.fd;
    r.src_offset = from.offset;
    r.src_length = from.length;
    r.dest_offset = dst_offset;
    if (::ioctl(dst_fd, FICLONERANGE, &r) == 0) return true;
  }
  BC_RETURN_IF_ERROR(copy_range(src.fd, from.offset, dst_fd, dst_offset, from.length, what));
  return false;
}

}  // namespace bc
