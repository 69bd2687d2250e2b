#include "layers/bundle/bundle_import.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "layers/bundle/bundle_verify.hpp"
#include "layers/bundle/held_copy.hpp"
#include "layers/index/prepare_payload.hpp"
#include "layers/util/hex.hpp"
#include "layers/util/fs.hpp"

namespace bc {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMissingNamed = 8;  // missing files named in the error; the rest are counted

// Where each left-out byte range comes from, parallel to the table: the
// whole file (held) or, for a pieces entry, one location per piece not carried.
struct Resolved {
  std::optional<HeldLocation> whole;
  std::vector<std::optional<HeldLocation>> pieces;
};

std::string short_hex(const Sha256Digest& d) { return to_hex(d).substr(0, 16); }

Result<std::vector<Resolved>> resolve(const OpenedBundle& b, HeldSource* held) {
  std::vector<Resolved> out(b.table.size());
  std::vector<std::string> missing;
  size_t missing_count = 0;
  auto lack = [&](std::string what) {
    if (missing.size() < kMissingNamed) missing.push_back(std::move(what));
    ++missing_count;
  };
  for (size_t i = 0; i < b.table.size(); ++i) {
    const BundleEntry& e = b.table[i];
    const TorrentFile& f = b.facts.files.at(e.path);
    if (e.kind == BundleKind::held) {
      std::optional<HeldLocation> at;
      if (held) {
        BC_ASSIGN_OR_RETURN(at, held->find_file(f.root));
      }
      if (at && at->length == e.size) out[i].whole = std::move(at);
      else lack(printable(e.path) + " (root " + short_hex(f.root) + ")");
    } else if (e.kind == BundleKind::pieces) {
      out[i].pieces.resize(f.pieces.size());
      size_t next = 0, lacking = 0;
      std::string first;
      for (uint32_t p = 0; p < f.pieces.size(); ++p) {
        if (next < e.pieces.size() && e.pieces[next] == p) { ++next; continue; }
        std::optional<HeldLocation> at;
        if (held) {
          BC_ASSIGN_OR_RETURN(at, held->find_piece(f.pieces[p], b.facts.piece_size));
        }
        if (at && at->length == piece_length(e.size, b.facts.piece_size, p)) {
          out[i].pieces[p] = std::move(at);
        } else if (lacking++ == 0) {
          first = std::to_string(p) + " (" + short_hex(f.pieces[p]) + ")";
        }
      }
      if (lacking > 0)
        lack(printable(e.path) + ": " + std::to_string(lacking) + " of " + std::to_string(f.pieces.size()) +
             " pieces, the first " + first);
    }
  }
  if (missing_count == 0) return out;
  std::string against;
  for (const auto& a : b.meta.against) against += (against.empty() ? "" : ", ") + a.to_string();
  std::string list;
  for (const auto& m : missing) list += (list.empty() ? "" : "; ") + m;
  if (missing_count > missing.size()) list += "; and " + std::to_string(missing_count - missing.size()) + " more";
  return Status::not_found(b.reader.path() + ": the bundle of " + b.meta.layer.to_string() + " was made against " +
                           (against.empty() ? std::string("no parents") : against) + "; this node lacks " +
                           std::to_string(missing_count) + " file(s) they hold, whole or in part: " + list +
                           ". Import or fetch those layers first; nothing was written");
}

Status check_space(const std::string& out_dir, uint64_t needed, uint64_t min_free) {
  const std::string parent = fs::path(out_dir).parent_path().string();
  struct statvfs vfs{};
  if (::statvfs(parent.empty() ? "." : parent.c_str(), &vfs) != 0)
    return Status::io_error(parent + ": statvfs: " + std::strerror(errno));
  const uint64_t free_bytes = uint64_t(vfs.f_bavail) * vfs.f_frsize;
  if (needed + min_free > free_bytes)
    return Status::no_space("the layer needs " + std::to_string(needed) + " bytes" +
                            (min_free ? " (plus " + std::to_string(min_free) + " kept free)" : std::string()) +
                            ", " + parent + " has " + std::to_string(free_bytes) + " free: refused, nothing written");
  return Status();
}

struct OutFile {
  int fd = -1;
  ~OutFile() { if (fd >= 0) ::close(fd); }
};

Status place_entry(OpenedBundle& b, const BundleEntry& e, const Resolved& r, const std::string& payload,
                   ImportReport& rep) {
  if (e.kind == BundleKind::assembled) return Status();  // assemble() builds it once the rest is placed
  const std::string target = payload + "/" + e.path;
  std::error_code ec;
  fs::create_directories(fs::path(target).parent_path(), ec);
  if (ec) return Status::io_error(target + ": create parent: " + ec.message());
  OutFile out;
  out.fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (out.fd < 0) return Status::io_error(target + ": create: " + std::strerror(errno));
  if (e.kind == BundleKind::whole) return b.reader.copy_to(out.fd, 0, e.size, target);
  if (e.kind == BundleKind::held) {
    BC_ASSIGN_OR_RETURN(bool shared, copy_held(*r.whole, out.fd, 0, true, target));
    ++rep.held_files;
    rep.held_bytes += e.size;
    if (shared) rep.reflinked_bytes += e.size;
    return Status();
  }
  if (::ftruncate(out.fd, off_t(e.size)) != 0) return Status::io_error(target + ": truncate: " + std::strerror(errno));
  const uint32_t ps = b.facts.piece_size;
  for (uint32_t p = 0; p < r.pieces.size(); ++p) {
    const uint64_t off = uint64_t(p) * ps, len = piece_length(e.size, ps, p);
    if (!r.pieces[p]) {
      BC_RETURN_IF_ERROR(b.reader.copy_to(out.fd, off, len, target));
      continue;
    }
    BC_ASSIGN_OR_RETURN(bool shared, copy_held(*r.pieces[p], out.fd, off, false, target));
    ++rep.held_pieces;
    rep.held_bytes += len;
    if (shared) rep.reflinked_bytes += len;
  }
  return Status();
}

// The `assembled` files: prepare_payload builds every payload file that is
// still missing (all others exist: it leaves them alone) from the held
// content's index, e.g. a bin from members held in the parents' bins.
Status assemble(OpenedBundle& b, HeldSource* held, const std::string& staging, const std::string& payload,
                ImportReport& rep) {
  size_t wanted = 0;
  for (const BundleEntry& e : b.table) wanted += e.kind == BundleKind::assembled;
  if (wanted == 0) return Status();
  const std::string scratch = staging + "/.assembly";
  auto index = held ? held->assembly_index(scratch) : Result<ContentIndex*>(Status::not_found("nothing is held"));
  if (!index.ok())
    return Status::not_found(b.reader.path() + ": " + std::to_string(wanted) +
                             " file(s) are to be assembled from the parents' content, and " + index.status().message());
  auto prep = prepare_payload(b.manifest(), b.facts, payload, **index);
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  if (!prep.ok()) return prep.status().with_context("assemble");
  for (const BundleEntry& e : b.table) {
    if (e.kind != BundleKind::assembled) continue;
    struct stat st{};
    if (::stat((payload + "/" + e.path).c_str(), &st) != 0 || uint64_t(st.st_size) != e.size)
      return Status::not_found(b.reader.path() + ": " + printable(e.path) + " could not be assembled from held " +
                               "content: this node lacks some of the parents' files (" + b.meta.layer.to_string() +
                               " was made against them); nothing was kept");
    ++rep.assembled_files;
    rep.held_bytes += e.size;
  }
  return Status();
}

Status write_metadata(const OpenedBundle& b, const std::string& dir) {
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/layer.torrent", b.torrent, 0644));
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/manifest.sig", signature_hex(b.manifest().signature()) + "\n", 0644));
  return write_file_atomic(dir + "/manifest.json", b.manifest().bytes(), 0644);
}

Status rebuild_into(OpenedBundle& b, const std::vector<Resolved>& resolved, const std::string& staging,
                    const ImportOptions& o, ImportReport& rep) {
  const std::string payload = staging + "/payload";
  std::error_code ec;
  fs::create_directories(payload, ec);
  if (ec) return Status::io_error(payload + ": " + ec.message());
  uint64_t done = 0;
  for (size_t i = 0; i < b.table.size(); ++i) {
    BC_RETURN_IF_ERROR(place_entry(b, b.table[i], resolved[i], payload, rep));
    done += b.table[i].size;
    if (o.progress) o.progress(done, rep.payload_bytes);
  }
  BC_RETURN_IF_ERROR(b.reader.check_trailer());
  BC_RETURN_IF_ERROR(assemble(b, o.held, staging, payload, rep));
  BC_RETURN_IF_ERROR(verify_rebuilt(b.facts, payload, o.threads));
  if (o.materialize_tree) BC_RETURN_IF_ERROR(materialize_tree(b.manifest().manifest(), payload));
  BC_RETURN_IF_ERROR(write_metadata(b, staging));
  int dfd = ::open(staging.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::syncfs(dfd);  // the rebuilt payload is durable before it is named
    ::close(dfd);
  }
  return Status();
}

}  // namespace

Result<ImportReport> rebuild_bundle(OpenedBundle& b, const ImportOptions& o) {
  if (o.out_dir.empty()) return Status::invalid_argument("import: an output layer directory is required");
  std::error_code ec;
  if (fs::exists(fs::symlink_status(o.out_dir, ec)))
    return Status::already_exists(o.out_dir + ": exists (" + b.meta.layer.to_string() +
                                  " is already held there?): refused, nothing written");
  ImportReport rep;
  for (const BundleEntry& e : b.table) rep.payload_bytes += e.size;
  rep.bundle_bytes = b.data_bytes;
  BC_ASSIGN_OR_RETURN(std::vector<Resolved> resolved, resolve(b, o.held));
  BC_RETURN_IF_ERROR(check_space(o.out_dir, rep.payload_bytes, o.min_free_bytes));
  const std::string staging = o.out_dir + ".importing-" + std::to_string(::getpid());
  fs::remove_all(staging, ec);  // left by an import that crashed
  Status s = rebuild_into(b, resolved, staging, o, rep);
  if (s.ok() && ::rename(staging.c_str(), o.out_dir.c_str()) != 0)
    s = Status::io_error(o.out_dir + ": rename from " + staging + ": " + std::strerror(errno));
  if (!s.ok()) {
    fs::remove_all(staging, ec);
    return s.with_context("import " + b.meta.layer.to_string() + ": refused, nothing kept");
  }
  (void)fsync_dir(fs::path(o.out_dir).parent_path().string());
  return rep;
}

}  // namespace bc
