#include "layers/util/private_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "layers/util/fs.hpp"

namespace bc {

Status check_private_dir(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::not_found("state directory '" + printable(path) + "' does not exist");
    return Status::io_error("state directory '" + printable(path) + "': " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) return Status::invalid_argument("state directory '" + printable(path) + "' is not a directory");
  if (st.st_uid != ::geteuid())
    return Status::permission_denied("state directory '" + printable(path) + "' is owned by uid " +
                                     std::to_string(st.st_uid) + ", not the running user (uid " +
                                     std::to_string(::geteuid()) + "): chown " + std::to_string(::geteuid()) + " " +
                                     printable(path));
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    return Status::permission_denied("state directory '" + printable(path) + "' has mode " + mode +
                                     ": it must be private to its owner (chmod 700 " + printable(path) + ")");
  }
  return Status();
}

Status check_secret_file(const std::string& path, const std::string& what) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return Status();
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
  return Status::permission_denied(what + " '" + printable(path) + "' has mode " + mode +
                                   ": it must be readable by its owner only (chmod 600 " + printable(path) + ")");
}

Status ensure_private_dir(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    std::filesystem::path p(path);
    std::error_code ec;
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) return Status::io_error("state directory '" + printable(path) + "': " + ec.message());
    // mkdir applies the umask, which can only narrow 0700; a directory
    // someone else made meanwhile (EEXIST) is checked like any other.
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
      return Status::io_error("state directory '" + printable(path) + "': mkdir: " + std::strerror(errno));
  }
  return check_private_dir(path);
}

}  // namespace bc
