// The only way apply code touches a target tree: every path is resolved from
// the root's file descriptor one component at a time with O_NOFOLLOW, so a
// symlink anywhere below the root (say a user's `etc -> /`) is never followed
// and nothing outside the root can be read, written, moved or removed.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "layers/util/status.hpp"

namespace bc {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

// Translates errno from an operation on `what` into a Status: ENOSPC and
// EDQUOT become no_space, EXDEV unsupported, ENOENT not_found, else io_error.
Status errno_status(const std::string& what, const char* op, int err);

class TargetFs {
 public:
  // Opens (following symlinks: the caller chose it) the root directory.
  static Result<TargetFs> open(const std::string& root);

  const std::string& root() const { return root_; }
  int root_fd() const { return root_fd_.get(); }

  // Opens directory `rel` ("" is the root). io_error when a component is not a
  // real directory (a symlink included); not_found when one is missing.
  Result<UniqueFd> open_dir(std::string_view rel) const;
  // The parent directory of `rel` and the last component's name.
  Result<std::pair<UniqueFd, std::string>> open_parent(std::string_view rel) const;

  // lstat of `rel`; nullopt when it or any ancestor is missing, or an
  // ancestor is not a real directory.
  Result<std::optional<struct stat>> lstat(std::string_view rel) const;

  // rename(2) that refuses to replace: already_exists when `to` exists.
  Status rename_noreplace(std::string_view from, std::string_view to) const;
  Status make_dir(std::string_view rel, uint32_t mode) const;  // OK if already a directory
  // rmdir; OK when absent; leaves a non-empty directory and returns OK.
  Status remove_dir_if_empty(std::string_view rel) const;
  // chmod of a file or directory; a symlink or absent path is left alone.
  Status set_mode(std::string_view rel, uint32_t mode) const;
  Status make_symlink(const std::string& target, std::string_view rel) const;
  Result<std::string> read_link(std::string_view rel) const;
  Status fsync_dir(std::string_view rel) const;
  // Removes `rel` and everything below it, never following a symlink. OK when absent.
  Status remove_tree(std::string_view rel) const;

 private:
  std::string root_;
  UniqueFd root_fd_;
};

std::string join_path(std::string_view dir, std::string_view name);
std::string parent_path(std::string_view rel);

}  // namespace bc
