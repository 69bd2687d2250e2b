#include "layers/apply/stage.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "layers/apply/executor.hpp"
#include "layers/model/bin_read.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"

namespace bc {
namespace {

constexpr size_t kCopyChunkBytes = 1 << 20;

Status write_all(int fd, const uint8_t* data, size_t n, const std::string& what) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno_status(what, "write", errno);
    }
    data += w;
    n -= size_t(w);
  }
  return Status();
}

struct Copier {
  const TargetFs& fs;
  int stage_fd;
  uint64_t done = 0, total = 0;
  const std::function<void(uint64_t, uint64_t)>& progress;
  std::vector<uint8_t> buf = std::vector<uint8_t>(kCopyChunkBytes);

  // Writes `bytes` (a whole, verified file) to the op's slot.
  Status write_slot(const Op& op, std::span<const uint8_t> bytes) {
    const Entry& e = op.entry;
    std::string slot = std::to_string(op.slot);
    UniqueFd out(::openat(stage_fd, slot.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (out.get() < 0) return errno_status(slot_rel(SlotArea::stage, op.slot, 0), "create", errno);
    BC_RETURN_IF_ERROR(write_all(out.get(), bytes.data(), bytes.size(), "staging " + printable(e.path)));
    if (::fchmod(out.get(), e.mode) != 0) return errno_status(slot, "chmod", errno);
    if (::fsync(out.get()) != 0) return errno_status("staging " + printable(e.path), "fsync", errno);
    done += bytes.size();
    if (progress) progress(done, total);
    return Status();
  }

  // The last bin decoded: members of one bin are staged one after another,
  // so each bin is read and decompressed once.
  const Manifest* cached_manifest = nullptr;
  uint32_t cached_bin = kNotPacked;
  std::string cached_raw;

  Status copy_packed(const Op& op, const StageSource& src) {
    const Entry& e = op.entry;
    const std::string where = "packed file '" + printable(e.path) + "'";
    if (!src.manifest || e.bin >= src.manifest->bins.size())
      return Status::corruption(where + ": bin " + std::to_string(e.bin) + " is not in its layer's manifest");
    const Manifest& m = *src.manifest;
    const std::string dir = src.bins_dir.empty() ? payload_bins_dir(src.payload_dir) : src.bins_dir;
    if (e.chunked()) return copy_chunked(op, m, dir);
    const PackBin& bin = m.bins[e.bin];
    if (e.offset > bin.raw_bytes() || e.size > bin.raw_bytes() - e.offset)
      return Status::corruption(where + ": lies outside bin " + pack_bin_path(e.bin));
    if (cached_manifest != &m || cached_bin != e.bin) {
      cached_manifest = nullptr;
      // Wire root and decoding checked here; the member's own root below.
      BC_RETURN_IF_ERROR(read_bin(m, e.bin, {}, dir, &cached_raw).with_context(where));
      cached_manifest = &m;
      cached_bin = e.bin;
    }
    std::span<const uint8_t> member(reinterpret_cast<const uint8_t*>(cached_raw.data()) + e.offset,
                                    size_t(e.size));
    MerkleHasher h(src.piece_bytes);
    h.update(member);
    FileHashes got = h.finish();
    if (got.root != e.root)
      return Status::corruption(where + ": bytes at offset " + std::to_string(e.offset) + " of bin " +
                                pack_bin_path(e.bin) + " have merkle root " + to_hex(got.root) +
                                ", not the manifest's " + to_hex(e.root));
    return write_slot(op, member);
  }

  // A chunked file: decoded chunk by chunk into its slot (private until the
  // transaction commits), its whole raw root checked before it counts.
  Status copy_chunked(const Op& op, const Manifest& m, const std::string& bins_dir) {
    const Entry& e = op.entry;
    std::string slot = std::to_string(op.slot);
    UniqueFd out(::openat(stage_fd, slot.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (out.get() < 0) return errno_status(slot_rel(SlotArea::stage, op.slot, 0), "create", errno);
    BC_RETURN_IF_ERROR(read_chunked_file(m, e, bins_dir, [&](std::span<const uint8_t> chunk) {
      BC_RETURN_IF_ERROR(write_all(out.get(), chunk.data(), chunk.size(), "staging " + printable(e.path)));
      done += chunk.size();
      if (progress) progress(done, total);
      return Status();
    }));
    if (::fchmod(out.get(), e.mode) != 0) return errno_status(slot, "chmod", errno);
    if (::fsync(out.get()) != 0) return errno_status("staging " + printable(e.path), "fsync", errno);
    return Status();
  }

  Status copy_file(const Op& op, const StageSource& src) {
    const Entry& e = op.entry;
    if (e.packed()) return copy_packed(op, src);
    std::string from = src.payload_dir + "/" + e.path;
    std::string where = "payload file '" + printable(e.path) + "'";
    UniqueFd in(::open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (in.get() < 0) return errno_status(from, "open", errno).with_context(where);
    std::string slot = std::to_string(op.slot);
    UniqueFd out(::openat(stage_fd, slot.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (out.get() < 0) return errno_status(slot_rel(SlotArea::stage, op.slot, 0), "create", errno);
    MerkleHasher h(src.piece_bytes);
    for (;;) {
      ssize_t n = ::read(in.get(), buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_status(from, "read", errno);
      }
      if (n == 0) break;
      if (h.bytes_seen() + uint64_t(n) > e.size)
        return Status::corruption(where + ": longer than the manifest's " + std::to_string(e.size) +
                                  " bytes");
      h.update({buf.data(), size_t(n)});
      BC_RETURN_IF_ERROR(
          write_all(out.get(), buf.data(), size_t(n), "staging " + printable(e.path)));
      done += uint64_t(n);
      if (progress) progress(done, total);
    }
    if (h.bytes_seen() != e.size)
      return Status::corruption(where + ": " + std::to_string(h.bytes_seen()) +
                                " bytes, the manifest says " + std::to_string(e.size));
    FileHashes got = h.finish();
    if (got.root != e.root)
      return Status::corruption(where + ": merkle root " + to_hex(got.root) +
                                " differs from the manifest's " + to_hex(e.root));
    if (::fchmod(out.get(), e.mode) != 0) return errno_status(slot, "chmod", errno);
    if (::fsync(out.get()) != 0)
      return errno_status("staging " + printable(e.path), "fsync", errno);
    return Status();
  }
};

Status check_free_space(const TargetFs& fs, uint64_t need) {
  struct statvfs sv;
  if (::fstatvfs(fs.root_fd(), &sv) != 0) return Status();  // unknown: let writes tell
  uint64_t avail = uint64_t(sv.f_bavail) * uint64_t(sv.f_frsize);
  if (need > avail)
    return Status::no_space(fs.root() + ": staging needs " + std::to_string(need) +
                            " bytes but the filesystem has " + std::to_string(avail) + " free");
  return Status();
}

}  // namespace

Status stage_plan(const TargetFs& fs, const Plan& plan, const std::vector<StageSource>& sources,
                  const std::function<void(uint64_t, uint64_t)>& progress) {
  BC_RETURN_IF_ERROR(check_free_space(fs, plan.stats.staged_bytes));
  BC_ASSIGN_OR_RETURN(UniqueFd stage, fs.open_dir(state_rel("txn/stage")));
  Copier c{fs, stage.get(), 0, plan.stats.staged_bytes, progress};
  for (const Op& op : plan.ops) {
    if (op.kind != OpKind::move_in || op.area != SlotArea::stage) continue;
    if (op.layer >= sources.size()) return Status::internal("op names a layer outside the stack");
    if (op.entry.type == EntryType::symlink) {
      BC_RETURN_IF_ERROR(fs.make_symlink(op.entry.target, slot_rel(SlotArea::stage, op.slot, 0)));
    } else if (op.entry.type == EntryType::file) {
      BC_RETURN_IF_ERROR(c.copy_file(op, sources[op.layer]));
    } else {
      return Status::internal("staged op for a directory");
    }
  }
  if (progress) progress(c.total, c.total);
  if (::fsync(stage.get()) != 0) return errno_status(state_rel("txn/stage"), "fsync", errno);
  return Status();
}

}  // namespace bc
