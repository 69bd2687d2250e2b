#include "layers/apply/target_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "layers/model/manifest.hpp"
#include "layers/util/fs.hpp"

namespace bc {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

Status errno_status(const std::string& what, const char* op, int err) {
  std::string msg = printable(what) + ": " + op + ": " + std::strerror(err);
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return Status::no_space(msg);
    case EXDEV:
      return Status::unsupported(msg + " (the target tree spans filesystems)");
    case ENOENT:
      return Status::not_found(msg);
    case EEXIST:
    case ENOTEMPTY:
      return Status::already_exists(msg);
    default:
      return Status::io_error(msg);
  }
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  return std::string(dir) + "/" + std::string(name);
}

std::string parent_path(std::string_view rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(rel.substr(0, slash));
}

Result<TargetFs> TargetFs::open(const std::string& root) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status(root, "open target root", errno);
  TargetFs t;
  t.root_ = root;
  t.root_fd_ = UniqueFd(fd);
  return t;
}

Result<UniqueFd> TargetFs::open_dir(std::string_view rel) const {
  UniqueFd cur(::dup(root_fd_.get()));
  if (cur.get() < 0) return errno_status(root_, "dup", errno);
  size_t pos = 0;
  while (pos < rel.size()) {
    size_t slash = rel.find('/', pos);
    if (slash == std::string_view::npos) slash = rel.size();
    std::string name(rel.substr(pos, slash - pos));
    int fd = ::openat(cur.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      std::string where(rel.substr(0, slash));
      if (err == ELOOP || err == ENOTDIR)
        return Status::io_error(printable(where) +
                                ": is not a directory (symlinks are never followed)");
      return errno_status(where, "open directory", err);
    }
    cur = UniqueFd(fd);
    pos = slash + 1;
  }
  return cur;
}

Result<std::pair<UniqueFd, std::string>> TargetFs::open_parent(std::string_view rel) const {
  if (rel.empty()) return Status::invalid_argument("empty path has no parent");
  BC_ASSIGN_OR_RETURN(UniqueFd dir, open_dir(parent_path(rel)));
  size_t slash = rel.rfind('/');
  std::string name(slash == std::string_view::npos ? rel : rel.substr(slash + 1));
  return std::make_pair(std::move(dir), std::move(name));
}

Result<std::optional<struct stat>> TargetFs::lstat(std::string_view rel) const {
  auto parent = open_parent(rel);
  if (!parent.ok()) {
    auto code = parent.status().code();
    if (code == Status::Code::not_found || code == Status::Code::io_error)
      return std::optional<struct stat>();  // missing, or below a non-directory
    return parent.status();
  }
  struct stat st;
  if (::fstatat(parent->first.get(), parent->second.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return std::optional<struct stat>();
    return errno_status(std::string(rel), "lstat", errno);
  }
  return std::optional<struct stat>(st);
}

Status TargetFs::rename_noreplace(std::string_view from, std::string_view to) const {
  BC_ASSIGN_OR_RETURN(auto src, open_parent(from));
  BC_ASSIGN_OR_RETURN(auto dst, open_parent(to));
  if (::renameat2(src.first.get(), src.second.c_str(), dst.first.get(), dst.second.c_str(),
                  RENAME_NOREPLACE) != 0)
    return errno_status(std::string(from) + " -> " + std::string(to), "rename", errno);
  return Status();
}

Status TargetFs::make_dir(std::string_view rel, uint32_t mode) const {
  BC_ASSIGN_OR_RETURN(auto p, open_parent(rel));
  if (::mkdirat(p.first.get(), p.second.c_str(), mode) == 0) {
    // mkdir honours the umask; set exactly what was asked.
    if (::fchmodat(p.first.get(), p.second.c_str(), mode, 0) != 0)
      return errno_status(std::string(rel), "chmod", errno);
    return Status();
  }
  int err = errno;
  struct stat st;
  if (err == EEXIST && ::fstatat(p.first.get(), p.second.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISDIR(st.st_mode))
    return Status();
  return errno_status(std::string(rel), "mkdir", err);
}

Status TargetFs::remove_dir_if_empty(std::string_view rel) const {
  auto p = open_parent(rel);
  if (!p.ok()) return p.status().code() == Status::Code::not_found ? Status() : p.status();
  if (::unlinkat(p->first.get(), p->second.c_str(), AT_REMOVEDIR) == 0) return Status();
  if (errno == ENOENT || errno == ENOTEMPTY || errno == EEXIST) return Status();
  return errno_status(std::string(rel), "rmdir", errno);
}

Status TargetFs::set_mode(std::string_view rel, uint32_t mode) const {
  auto p = open_parent(rel);
  if (!p.ok()) return p.status().code() == Status::Code::not_found ? Status() : p.status();
  struct stat st;
  if (::fstatat(p->first.get(), p->second.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? Status() : errno_status(std::string(rel), "lstat", errno);
  if (S_ISLNK(st.st_mode)) return Status();
  if (::fchmodat(p->first.get(), p->second.c_str(), mode, 0) != 0)
    return errno_status(std::string(rel), "chmod", errno);
  return Status();
}

Status TargetFs::make_symlink(const std::string& target, std::string_view rel) const {
  BC_ASSIGN_OR_RETURN(auto p, open_parent(rel));
  if (::symlinkat(target.c_str(), p.first.get(), p.second.c_str()) != 0)
    return errno_status(std::string(rel), "symlink", errno);
  return Status();
}

Result<std::string> TargetFs::read_link(std::string_view rel) const {
  BC_ASSIGN_OR_RETURN(auto p, open_parent(rel));
  std::string buf(kMaxSymlinkTargetBytes + 1, '\0');
  ssize_t n = ::readlinkat(p.first.get(), p.second.c_str(), buf.data(), buf.size());
  if (n < 0) return errno_status(std::string(rel), "readlink", errno);
  if (size_t(n) > kMaxSymlinkTargetBytes)
    return Status::invalid_argument(printable(rel) + ": symlink target longer than the limit");
  buf.resize(size_t(n));
  return buf;
}

Status TargetFs::fsync_dir(std::string_view rel) const {
  BC_ASSIGN_OR_RETURN(UniqueFd d, open_dir(rel));
  if (::fsync(d.get()) != 0) return errno_status(std::string(rel), "fsync", errno);
  return Status();
}

// Removes `name` inside `dirfd`, recursing into directories by descriptor.
static Status remove_at(int dirfd, const std::string& name, const std::string& where, int depth) {
  if (depth > 4096) return Status::internal(where + ": directory nesting too deep to remove");
  if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return Status();
  if (errno != EISDIR && errno != EPERM) return errno_status(where, "unlink", errno);
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno_status(where, "open directory", errno);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return errno_status(where, "opendir", errno);
  }
  std::vector<std::string> names;
  while (dirent* ent = ::readdir(d)) {
    std::string n = ent->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  Status s;
  for (const auto& n : names) {
    s = remove_at(::dirfd(d), n, where + "/" + n, depth + 1);
    if (!s.ok()) break;
  }
  ::closedir(d);
  if (!s.ok()) return s;
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return errno_status(where, "rmdir", errno);
  return Status();
}

Status TargetFs::remove_tree(std::string_view rel) const {
  auto p = open_parent(rel);
  if (!p.ok()) return p.status().code() == Status::Code::not_found ? Status() : p.status();
  return remove_at(p->first.get(), p->second, std::string(rel), 0);
}

}  // namespace bc
