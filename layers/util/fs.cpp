#include "layers/util/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

namespace bc {

static std::string errno_text(const std::string& what, const std::string& path) {
  return path + ": " + what + ": " + std::strerror(errno);
}

Result<std::string> read_small_file(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::not_found(path + ": no such file");
    return Status::io_error(errno_text("open", path));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::io_error(errno_text("read", path));
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    if (out.size() + size_t(n) > max_bytes) {
      ::close(fd);
      return Status::invalid_argument(path + ": larger than the limit of " +
                                      std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, size_t(n));
  }
  ::close(fd);
  return out;
}

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::io_error(errno_text("open directory", dir));
  int rc = ::fsync(fd);
  Status s = rc == 0 ? Status() : Status::io_error(errno_text("fsync", dir));
  ::close(fd);
  return s;
}

Status write_file_atomic(const std::string& path, std::string_view content, uint32_t mode,
                         bool overwrite) {
  struct stat st;
  if (!overwrite && ::lstat(path.c_str(), &st) == 0)
    return Status::already_exists(path + ": already exists; refusing to overwrite");
  std::filesystem::path p(path);
  std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                    std::to_string(std::random_device{}());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::io_error(errno_text("create", tmp));
  const char* data = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = errno == ENOSPC ? Status::no_space(errno_text("write", tmp))
                                 : Status::io_error(errno_text("write", tmp));
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    data += n;
    left -= size_t(n);
  }
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    Status s = Status::io_error(errno_text("fsync", tmp));
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Status::io_error(errno_text("rename", path));
    ::unlink(tmp.c_str());
    return s;
  }
  return fsync_dir(dir);
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    else if ((c & 0xe0) == 0xc0) { n = 1; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 2; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 3; cp = c & 0x07; }
    else return false;
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
      return false;
    i += n + 1;
  }
  return true;
}

std::string unsafe_path_reason(std::string_view rel) {
  if (rel.empty()) return "path is empty";
  if (rel.size() > kMaxPathBytes) return "path is longer than " + std::to_string(kMaxPathBytes) + " bytes";
  if (rel.front() == '/') return "path is absolute";
  if (rel.find('\0') != std::string_view::npos) return "path contains a NUL byte";
  if (!is_valid_utf8(rel)) return "path is not valid UTF-8";
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view comp = rel.substr(start, end - start);
    if (comp.empty()) return "path has an empty component";
    if (comp == ".") return "path has a '.' component";
    if (comp == "..") return "path has a '..' component";
    if (comp.size() > kMaxNameBytes) return "path has a component longer than " + std::to_string(kMaxNameBytes) + " bytes";
    start = end + 1;
  }
  return {};
}

std::string printable(std::string_view s) {
  std::string out;
  bool utf8 = is_valid_utf8(s);
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f || (!utf8 && c >= 0x80)) {
      static constexpr char kDigits[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xf]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

Result<std::string> read_file_of_size(const std::string& path, uint64_t size) {
  if (size > (64u << 20)) return Status::invalid_argument(path + ": larger than 64 MiB");
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::not_found(path + ": missing");
    if (err == ELOOP) return Status::corruption(path + ": is a symlink, not a regular file");
    return Status::io_error(path + ": open: " + std::strerror(err));
  }
  struct stat st{};
  std::string out;
  Status s;
  if (::fstat(fd, &st) != 0) {
    s = Status::io_error(path + ": fstat: " + std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    s = Status::corruption(path + ": not a regular file");
  } else if (uint64_t(st.st_size) != size) {
    s = Status::corruption(path + ": " + std::to_string(st.st_size) + " bytes, expected " + std::to_string(size));
  } else {
    out.resize(size_t(size));
    size_t done = 0;
    while (done < out.size() && s.ok()) {
      ssize_t n = ::pread(fd, out.data() + done, out.size() - done, off_t(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) s = Status::io_error(path + ": read: " + std::strerror(errno));
      else if (n == 0) s = Status::corruption(path + ": shorter than " + std::to_string(size) + " bytes");
      else done += size_t(n);
    }
  }
  ::close(fd);
  if (!s.ok()) return s;
  return out;
}

}  // namespace bc
