#include "layers/apply/scan.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "layers/crypto/sha256.hpp"
#include "layers/util/fs.hpp"

namespace bc {

InstallStamp stamp_of(const struct stat& st) {
  InstallStamp s;
  s.dev = uint64_t(st.st_dev);
  s.ino = uint64_t(st.st_ino);
  s.size = uint64_t(st.st_size);
  s.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.ctime_ns = int64_t(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  return s;
}

std::set<std::string> with_ancestors(const std::set<std::string>& paths) {
  std::set<std::string> out;
  for (const auto& p : paths) {
    for (size_t pos = p.find('/'); pos != std::string::npos; pos = p.find('/', pos + 1))
      out.insert(p.substr(0, pos));
    out.insert(p);
  }
  return out;
}

static Result<uint64_t> count_foreign(const TargetFs& fs, const std::string& path,
                                      const std::set<std::string>& known) {
  BC_ASSIGN_OR_RETURN(UniqueFd d, fs.open_dir(path));
  DIR* dir = ::fdopendir(d.get());
  if (!dir) return errno_status(path, "opendir", errno);
  d.release();
  uint64_t foreign = 0;
  while (dirent* ent = ::readdir(dir)) {
    std::string n = ent->d_name;
    if (n == "." || n == "..") continue;
    if (path.empty() && n == kStateDirName) continue;
    if (!known.count(join_path(path, n))) ++foreign;
  }
  ::closedir(dir);
  return foreign;
}

static Status describe_file(const TargetFs& fs, const std::string& path, const struct stat& st,
                            const ScanHint* hint, uint32_t piece_bytes, DiskEntry& d) {
  if (!hint) return Status();
  if (hint->stamp && *hint->stamp == stamp_of(st)) {
    d.root = hint->stamp_root;
    return Status();
  }
  const auto& sizes = hint->hash_sizes;
  if (std::find(sizes.begin(), sizes.end(), d.size) == sizes.end()) return Status();
  BC_ASSIGN_OR_RETURN(auto parent, fs.open_parent(path));
  int fd = ::openat(parent.first.get(), parent.second.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno_status(path, "open", errno);
  UniqueFd f(fd);
  BC_ASSIGN_OR_RETURN(FileHashes h, hash_fd(f.get(), piece_bytes, printable(path)));
  d.root = h.root;
  d.hashed = true;
  return Status();
}

Result<DiskView> scan_target(const TargetFs& fs, const ScanRequest& req) {
  DiskView view;
  for (const std::string& path : req.paths) {
    if (path.empty()) {  // the root: only its user entries are of interest
      DiskEntry root;
      root.type = DiskType::dir;
      BC_ASSIGN_OR_RETURN(root.foreign_children, count_foreign(fs, path, req.known));
      view[path] = root;
      continue;
    }
    BC_ASSIGN_OR_RETURN(std::optional<struct stat> st, fs.lstat(path));
    if (!st) continue;
    DiskEntry d;
    d.mode = st->st_mode & 07777;
    if (S_ISREG(st->st_mode)) {
      d.type = DiskType::file;
      d.size = uint64_t(st->st_size);
      auto h = req.hints.find(path);
      BC_RETURN_IF_ERROR(describe_file(fs, path, *st, h == req.hints.end() ? nullptr : &h->second,
                                       req.piece_bytes, d));
    } else if (S_ISDIR(st->st_mode)) {
      d.type = DiskType::dir;
      BC_ASSIGN_OR_RETURN(d.foreign_children, count_foreign(fs, path, req.known));
    } else if (S_ISLNK(st->st_mode)) {
      d.type = DiskType::symlink;
      BC_ASSIGN_OR_RETURN(d.target, fs.read_link(path));
    } else {
      d.type = DiskType::other;
    }
    view[path] = std::move(d);
  }
  return view;
}

}  // namespace bc
