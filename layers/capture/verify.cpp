#include "layers/capture/verify.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "layers/capture/parallel_hasher.hpp"
#include "layers/model/bin_read.hpp"
#include "layers/model/pack.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "layers/util/fs.hpp"

namespace bc {

static Status check_entry_shape(const Entry& e, const std::string& abs, bool check_modes) {
  struct stat st;
  std::string where = "'" + printable(e.path) + "'";
  if (::lstat(abs.c_str(), &st) != 0)
    return errno == ENOENT ? Status::not_found(where + ": missing from the payload")
                           : Status::io_error(where + ": lstat: " + std::strerror(errno));
  bool type_ok = (e.type == EntryType::file && S_ISREG(st.st_mode)) ||
                 (e.type == EntryType::dir && S_ISDIR(st.st_mode)) ||
                 (e.type == EntryType::symlink && S_ISLNK(st.st_mode));
  if (!type_ok) return Status::corruption(where + ": is not a " + to_string(e.type));
  if (e.type == EntryType::symlink) {
    std::string t(kMaxSymlinkTargetBytes + 1, '\0');
    ssize_t n = ::readlink(abs.c_str(), t.data(), t.size());
    if (n < 0 || std::string_view(t.data(), size_t(n)) != e.target)
      return Status::corruption(where + ": symlink target differs from the manifest");
    return Status();
  }
  if (check_modes && (st.st_mode & 07777) != e.mode)
    return Status::corruption(where + ": mode differs from the manifest");
  if (e.type == EntryType::file && uint64_t(st.st_size) != e.size)
    return Status::corruption(where + ": size " + std::to_string(st.st_size) +
                              " differs from the manifest's " + std::to_string(e.size));
  return Status();
}

// Directories that hold only packed files (and directories of them): a
// downloaded payload has no reason to create them, since their files live in
// bins. When present they are checked like any entry.
static std::set<std::string> optional_dirs(const Manifest& m) {
  std::set<std::string> any, required;
  for (const auto& e : m.entries) {
    const bool needs_parents = e.type != EntryType::dir && !e.packed();
    for (size_t slash = e.path.rfind('/'); slash != std::string::npos && slash > 0;
         slash = e.path.rfind('/', slash - 1)) {
      const std::string parent = e.path.substr(0, slash);
      any.insert(parent);
      if (needs_parents) required.insert(parent);
    }
  }
  std::set<std::string> out;
  for (const auto& d : any)
    if (!required.count(d)) out.insert(d);
  return out;
}

// Each bin (at most max(256 KiB, chunk_size) raw) is read whole and
// checked: wire size and root, decoded bounded by its raw_size, then every
// small member against its own root; a chunked file is read chunk by chunk
// and checked against its whole raw root.
static Status verify_bins(const Manifest& m, const std::string& bins_dir) {
  const auto members = bin_members(m);
  std::string raw;
  for (size_t b = 0; b < m.bins.size(); ++b) {
    if (!members[b].empty() && m.entries[members[b][0]].chunked()) continue;
    BC_RETURN_IF_ERROR(read_bin(m, uint32_t(b), members[b], bins_dir, &raw));
  }
  for (const Entry& e : m.entries)
    if (e.chunked())
      BC_RETURN_IF_ERROR(read_chunked_file(m, e, bins_dir, [](std::span<const uint8_t>) { return Status(); }));
  return Status();
}

Status verify_payload(const TrustedManifest& tm, const std::string& torrent,
                      const std::string& payload_dir, const VerifyOptions& o) {
  const Manifest& m = tm.manifest();
  if (m.file_count() > 0) {
    if (torrent.empty()) return Status::not_found("layer has files but no torrent");
    BC_ASSIGN_OR_RETURN(TorrentFacts facts, read_layer_torrent(torrent));
    BC_RETURN_IF_ERROR(check_torrent_matches(m, facts));
  }
  std::vector<HashJob> jobs;
  std::vector<const Entry*> files;
  const std::set<std::string> optional = optional_dirs(m);
  for (const auto& e : m.entries) {
    if (e.packed()) continue;  // checked in its bin below
    std::string abs = payload_dir + "/" + e.path;
    struct stat st;
    if (optional.count(e.path) && ::lstat(abs.c_str(), &st) != 0 && errno == ENOENT) continue;
    BC_RETURN_IF_ERROR(check_entry_shape(e, abs, o.check_modes));
    if (e.type == EntryType::file) {
      jobs.push_back({abs, e.size});
      files.push_back(&e);
    }
  }
  ParallelHashOptions ho;
  ho.piece_bytes = m.piece_size;
  ho.threads = o.threads;
  ho.progress = o.progress;
  BC_ASSIGN_OR_RETURN(std::vector<FileHashes> hashes, hash_files_parallel(jobs, ho));
  for (size_t i = 0; i < files.size(); ++i)
    if (hashes[i].root != files[i]->root)
      return Status::corruption("'" + printable(files[i]->path) +
                                "': content does not match the manifest's merkle root");
  return verify_bins(m, o.bins_dir.empty() ? payload_bins_dir(payload_dir) : o.bins_dir);
}

}  // namespace bc
