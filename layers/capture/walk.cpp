#include "layers/capture/walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "layers/util/fs.hpp"

namespace bc {

namespace {

// libtorrent's path sanitiser (sanitize_append_path_element) silently rewrites
// some names when it reads a torrent: it drops backslashes and the Unicode
// direction marks below, truncates an element to 240 bytes, and replaces
// control characters. Such a name would differ between manifest and torrent
// and fail verification far from its cause, so capture refuses it up front.
constexpr size_t kMaxTorrentNameBytes = 240;

bool is_direction_mark(std::string_view name, size_t at) {
  // U+200E, U+200F (E2 80 8E/8F) and U+202A..U+202E (E2 80 AA..AE), in UTF-8.
  if (at + 2 >= name.size() || uint8_t(name[at]) != 0xE2 || uint8_t(name[at + 1]) != 0x80) return false;
  const uint8_t c = uint8_t(name[at + 2]);
  return c == 0x8E || c == 0x8F || (c >= 0xAA && c <= 0xAE);
}

std::string name_problem(std::string_view name) {
  if (!is_valid_utf8(name)) return "name is not valid UTF-8 (layers carry UTF-8 names only)";
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = uint8_t(name[i]);
    if (c < 0x20 || c == 0x7f) return "name holds a control character (newline, tab, ...)";
    if (c == '\\') return "name holds a backslash (torrent paths drop it)";
    if (is_direction_mark(name, i))
      return "name holds a Unicode direction mark (U+200E/F, U+202A..E; torrent paths drop it)";
  }
  if (name.size() > kMaxTorrentNameBytes)
    return "name is longer than 240 bytes (torrent paths truncate it)";
  return {};
}

class Walker {
 public:
  Walker(std::string root, const WalkLimits& limits) : root_(std::move(root)), limits_(limits) {}

  Status walk_dir(const std::string& rel) {
    std::string abs = rel.empty() ? root_ : root_ + "/" + rel;
    DIR* d = ::opendir(abs.c_str());
    if (!d) return Status::io_error(where(rel) + ": cannot open directory: " + std::strerror(errno));
    std::vector<std::string> names;
    errno = 0;
    while (dirent* de = ::readdir(d)) {
      std::string n = de->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
      errno = 0;
    }
    const int read_errno = errno;  // readdir returns null at the end and on error
    ::closedir(d);
    if (read_errno != 0)
      return Status::io_error(where(rel) + ": cannot read directory: " + std::strerror(read_errno));
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      std::string child = rel.empty() ? n : rel + "/" + n;
      BC_RETURN_IF_ERROR(visit(child, n));
    }
    return Status();
  }

  WalkedTree take() {
    std::vector<size_t> order(entries_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [this](size_t a, size_t b) { return entries_[a].path < entries_[b].path; });
    WalkedTree t;
    t.entries.reserve(order.size());
    t.change_ns.reserve(order.size());
    for (size_t i : order) {
      t.entries.push_back(std::move(entries_[i]));
      t.change_ns.push_back(change_ns_[i]);
    }
    return t;
  }

 private:
  std::string where(const std::string& rel) const {
    return rel.empty() ? root_ : "'" + printable(rel) + "'";
  }

  Status visit(const std::string& rel, const std::string& name) {
    if (auto p = name_problem(name); !p.empty())
      return Status::invalid_argument(where(rel) + ": " + p);
    if (rel.size() > kMaxPathBytes)
      return Status::invalid_argument(where(rel) + ": path is longer than 4096 bytes");
    if (entries_.size() >= limits_.max_entries)
      return Status::invalid_argument("more than " + std::to_string(limits_.max_entries) +
                                      " entries under " + root_);
    std::string abs = root_ + "/" + rel;
    struct stat st;
    if (::lstat(abs.c_str(), &st) != 0)
      return Status::io_error(where(rel) + ": lstat: " + std::strerror(errno));
    Entry e;
    e.path = rel;
    e.mode = st.st_mode & 07777;
    if (S_ISREG(st.st_mode)) {
      e.type = EntryType::file;
      e.size = uint64_t(st.st_size);
      if (::access(abs.c_str(), R_OK) != 0)
        return Status::io_error(where(rel) + ": file is not readable: " + std::strerror(errno));
      entries_.push_back(std::move(e));
      change_ns_.push_back(int64_t(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec);
    } else if (S_ISDIR(st.st_mode)) {
      e.type = EntryType::dir;
      entries_.push_back(std::move(e));
      change_ns_.push_back(0);
      return walk_dir(rel);
    } else if (S_ISLNK(st.st_mode)) {
      e.type = EntryType::symlink;
      e.mode = 0;
      std::string target(size_t(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(abs.c_str(), target.data(), target.size());
      if (n < 0) return Status::io_error(where(rel) + ": readlink: " + std::strerror(errno));
      target.resize(size_t(n));
      if (target.empty() || target.size() > kMaxSymlinkTargetBytes || !is_valid_utf8(target))
        return Status::invalid_argument(where(rel) + ": symlink target is empty, too long or not UTF-8");
      e.target = std::move(target);
      entries_.push_back(std::move(e));
      change_ns_.push_back(0);
    } else {
      const char* kind = S_ISSOCK(st.st_mode)  ? "a socket"
                         : S_ISFIFO(st.st_mode) ? "a FIFO"
                         : S_ISCHR(st.st_mode)  ? "a character device"
                         : S_ISBLK(st.st_mode)  ? "a block device"
                                                : "of an unknown type";
      return Status::unsupported(where(rel) + ": unsupported file type: it is " + kind +
                                 "; layers hold files, directories and symlinks only");
    }
    return Status();
  }

  std::string root_;
  WalkLimits limits_;
  std::vector<Entry> entries_;
  std::vector<int64_t> change_ns_;  // parallel to entries_
};

}  // namespace

Result<WalkedTree> walk_tree(const std::string& root_dir, const WalkLimits& limits) {
  struct stat st;
  if (::stat(root_dir.c_str(), &st) != 0)
    return Status::not_found(root_dir + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return Status::invalid_argument(root_dir + ": not a directory");
  Walker w(root_dir, limits);
  BC_RETURN_IF_ERROR(w.walk_dir(""));
  return w.take();
}

}  // namespace bc
