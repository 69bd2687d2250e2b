#include "layers/index/prepare_payload.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "layers/model/bin_codec.hpp"
#include "layers/model/pack.hpp"
#include "layers/util/fs.hpp"

namespace bc {

namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() { if (fd >= 0) ::close(fd); }
};

// Copies `len` bytes from src@src_off to dst@dst_off: copy_file_range (which
// may share extents on filesystems that can), falling back to read/write.
bool copy_range(int src, uint64_t src_off, int dst, uint64_t dst_off, uint64_t len) {
  loff_t in = loff_t(src_off), out = loff_t(dst_off);
  while (len > 0) {
    ssize_t n = ::copy_file_range(src, &in, dst, &out, size_t(std::min<uint64_t>(len, 1u << 30)), 0);
    if (n > 0) { len -= uint64_t(n); continue; }
    if (n == 0) return false;  // source shorter than recorded
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL) return false;
    std::vector<char> buf(1u << 20);
    while (len > 0) {
      ssize_t r = ::pread(src, buf.data(), size_t(std::min<uint64_t>(len, buf.size())), in);
      if (r <= 0) return false;
      if (::pwrite(dst, buf.data(), size_t(r), out) != r) return false;
      in += r; out += r; len -= uint64_t(r);
    }
  }
  return true;
}

// The held bytes; a member of a compressed bin is decoded (bounded by the
// recorded raw size; the caller's consumer, libtorrent, checks the result).
bool read_held(const HeldLocation& h, std::string* out) {
  if (h.frame_raw_size) {
    if (h.frame_raw_size > (64u << 20) || h.offset > h.frame_raw_size || h.length > h.frame_raw_size - h.offset)
      return false;
    struct stat st{};
    if (::stat(h.path.c_str(), &st) != 0 || uint64_t(st.st_size) >= h.frame_raw_size) return false;
    auto wire = read_file_of_size(h.path, uint64_t(st.st_size));
    std::string raw;
    if (!wire.ok() || !decode_bin(BinCodec::zstd, h.frame_raw_size,
                                  {reinterpret_cast<const uint8_t*>(wire->data()), wire->size()}, &raw, h.path)
                           .ok())
      return false;
    *out = raw.substr(size_t(h.offset), size_t(h.length));
    return true;
  }
  Fd src(::open(h.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (src.fd < 0) return false;
  out->resize(size_t(h.length));
  return ::pread(src.fd, out->data(), out->size(), off_t(h.offset)) == ssize_t(h.length);
}

// Whole-file copy into a fresh `target`: reflink first, then copy_range.
bool copy_whole(const HeldLocation& from, const std::string& target, uint32_t mode) {
  if (from.frame_raw_size) {
    std::string bytes;
    return read_held(from, &bytes) && write_file_atomic(target, bytes, mode).ok();
  }
  Fd src(::open(from.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (src.fd < 0) return false;
  std::string tmp = target + ".bc-seed";
  Fd dst(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode | 0600));
  if (dst.fd < 0) return false;
  bool ok = (from.offset == 0 && ::ioctl(dst.fd, FICLONE, src.fd) == 0) ||
            copy_range(src.fd, from.offset, dst.fd, 0, from.length);
  if (ok && ::rename(tmp.c_str(), target.c_str()) == 0) return true;
  ::unlink(tmp.c_str());
  return false;
}

// A bin none of whose copies is held, built from its members held anywhere
// (standalone or inside other bins): after an insertion re-packs a run of
// bins, their members are still held. A chunk is cut from its file held
// whole (a schema 2 layer holds it so). A compressed bin is re-compressed
// with the pinned parameters, only when this node's compressor is the one
// the manifest names (another zstd may give other bytes). False when a
// member is not held or a read fails (the bin is then fetched). Unverified:
// libtorrent hashes it.
bool assemble_bin(const Manifest& m, uint32_t b, const std::vector<size_t>& members, const std::string& target,
                  ContentIndex& index) {
  const PackBin& pb = m.bins[b];
  if (pb.codec == BinCodec::zstd && m.compressor != compressor_id()) return false;
  std::string bin, part;
  for (size_t i : members) {
    const Entry& e = m.entries[i];
    auto held = index.find_file(e.root);
    if (!held.ok() || !*held || (*held)->length != e.size) return false;
    HeldLocation from = **held;
    if (e.chunked()) {  // the chunk of a file held whole (raw)
      if (from.frame_raw_size) return false;
      from.offset += uint64_t(b - e.bin) * m.chunk_size;
      from.length = pb.raw_bytes();
    }
    if (!read_held(from, &part)) return false;
    bin += part;
  }
  if (pb.codec == BinCodec::zstd)
    bin = compress_bin({reinterpret_cast<const uint8_t*>(bin.data()), bin.size()});
  return bin.size() == pb.size && write_file_atomic(target, bin, 0644).ok();
}

bool exists(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

Result<PrepareReport> prepare_payload(const TrustedManifest& layer, const TorrentFacts& facts,
                                      const std::string& payload_dir, ContentIndex& index) {
  PrepareReport r;
  std::vector<std::vector<size_t>> members;  // of each bin, computed when first needed
  // Payload files: unpacked files and bins of packed files (an unchanged bin
  // is held under its root like any file).
  for (const PayloadFile& e : layer.manifest().payload_files()) {
    if (e.size == 0) continue;
    auto tf = facts.files.find(e.path);
    if (tf == facts.files.end()) return Status::invalid_argument("torrent facts lack '" + e.path + "'");
    const std::string target = payload_dir + "/" + e.path;
    if (exists(target)) { ++r.files_already_present; continue; }
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(target).parent_path(), ec);
    if (ec) return Status::io_error("cannot create the directory of '" + printable(target) + "': " + ec.message());

    BC_ASSIGN_OR_RETURN(auto whole, index.find_file(e.root));
    if (whole && whole->length == e.size && copy_whole(*whole, target, 0644)) {
      ++r.files_copied;
      r.file_bytes_copied += e.size;
      continue;
    }
    if (e.bin != kNotPacked) {
      if (members.empty()) members = bin_members(layer.manifest());
      if (assemble_bin(layer.manifest(), e.bin, members[e.bin], target, index)) {
        ++r.bins_assembled;
        r.bin_bytes_assembled += e.size;
      }
      continue;
    }
    const auto& pieces = tf->second.pieces;
    if (pieces.empty()) continue;
    Fd dst(-1);
    for (size_t p = 0; p < pieces.size(); ++p) {
      uint64_t off = uint64_t(p) * facts.piece_size;
      uint64_t len = std::min<uint64_t>(facts.piece_size, e.size - off);
      BC_ASSIGN_OR_RETURN(auto held, index.find_piece(pieces[p], facts.piece_size));
      if (!held || held->length != len) continue;
      if (dst.fd < 0) {
        // Sparse at full size: pieces not copied read as holes and fail the check.
        dst.fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (dst.fd < 0 || ::ftruncate(dst.fd, off_t(e.size)) != 0)
          return Status::io_error("cannot create '" + printable(target) + "': " + std::strerror(errno));
      }
      Fd src(::open(held->path.c_str(), O_RDONLY | O_CLOEXEC));
      if (src.fd >= 0 && copy_range(src.fd, held->offset, dst.fd, off, len)) {
        ++r.pieces_copied;
        r.piece_bytes_copied += len;
      }
    }
  }
  return r;
}

}  // namespace bc
