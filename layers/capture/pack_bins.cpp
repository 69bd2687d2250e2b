#include "layers/capture/pack_bins.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "layers/model/bin_codec.hpp"
#include "layers/model/layer_dir.hpp"
#include "layers/model/pack.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"

namespace bc {
namespace {

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

struct UniqueFd {
  int fd;
  explicit UniqueFd(int f) : fd(f) {}
  ~UniqueFd() { if (fd >= 0) ::close(fd); }
  int get() const { return fd; }
};

// The bin's raw bytes from its members' files; each member checked against
// its manifest size and root.
Result<std::string> read_bin_from_tree(const Manifest& m, const std::vector<size_t>& members,
                                       const std::string& source_dir) {
  std::string bin;
  for (size_t i : members) {
    const Entry& e = m.entries[i];
    auto bytes = read_file_of_size(source_dir + "/" + e.path, e.size);
    if (!bytes.ok()) return bytes.status().with_context("packing '" + printable(e.path) + "' (changed since hashed?)");
    if (small_file_root(bytes_of(*bytes), m.piece_size) != e.root)
      return Status::corruption("packing '" + printable(e.path) + "': its content changed since it was hashed");
    bin += *bytes;
  }
  return bin;
}

Status pread_all(int fd, uint64_t at, std::string& out, const std::string& what) {
  for (size_t done = 0; done < out.size();) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, off_t(at + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::io_error(what + ": read: " + std::strerror(errno));
    if (n == 0) return Status::corruption(what + ": shorter than when it was hashed");
    done += size_t(n);
  }
  return Status();
}

// Schema 3: the wire bytes of a raw bin, and its codec.
std::string encode(const Manifest& m, std::string raw, PackBin& bin) {
  bin.raw_size = raw.size();
  bin.codec = BinCodec::raw;
  if (m.schema >= kManifestSchema) {
    std::string z = compress_bin(bytes_of(raw));
    if (!z.empty() && saves_enough(raw.size(), z.size())) {
      bin.codec = BinCodec::zstd;
      return z;
    }
  }
  return raw;
}

// One unit of work: a bin of small files, or a chunked file (all its bins,
// so the file's whole raw root is checked as its chunks are read).
// `each(b, wire)` sees every bin's wire bytes.
using BinSink = std::function<Status(uint32_t b, const std::string& wire)>;

Status encode_chunked(const Manifest& m, std::vector<PackBin>& bins, const Entry& e,
                      const std::string& source_dir, const BinSink& each) {
  const std::string what = "chunking '" + printable(e.path) + "'";
  UniqueFd fd(::open((source_dir + "/" + e.path).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return Status::io_error(what + ": open: " + std::strerror(errno));
  MerkleHasher h(m.piece_size);
  for (uint32_t k = 0; k < e.chunks; ++k) {
    std::string raw(size_t(std::min<uint64_t>(m.chunk_size, e.size - uint64_t(k) * m.chunk_size)), '\0');
    BC_RETURN_IF_ERROR(pread_all(fd.get(), uint64_t(k) * m.chunk_size, raw, what));
    h.update(bytes_of(raw));
    PackBin& bin = bins[e.bin + k];
    BC_RETURN_IF_ERROR(each(e.bin + k, encode(m, std::move(raw), bin)));
  }
  if (h.finish().root != e.root) return Status::corruption(what + ": its content changed since it was hashed");
  return Status();
}

// Runs every unit on `threads` threads; the first error wins.
Status for_each_bin(const Manifest& m, std::vector<PackBin>& bins, const std::string& source_dir,
                    unsigned threads, const BinSink& each) {
  const auto members = bin_members(m);
  std::vector<size_t> units;  // bin indexes: a small bin, or the first bin of a chunked file
  for (size_t b = 0; b < bins.size(); ++b) {
    const bool chunk = !members[b].empty() && m.entries[members[b][0]].chunked();
    if (!chunk || m.entries[members[b][0]].bin == b) units.push_back(b);
  }
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<size_t>(threads, std::max<size_t>(units.size(), 1)));
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first;
  auto work = [&] {
    for (size_t u; (u = next.fetch_add(1)) < units.size();) {
      const size_t b = units[u];
      Status s;
      if (!members[b].empty() && m.entries[members[b][0]].chunked()) {
        s = encode_chunked(m, bins, m.entries[members[b][0]], source_dir, each);
      } else {
        auto raw = read_bin_from_tree(m, members[b], source_dir);
        s = raw.ok() ? each(uint32_t(b), encode(m, std::move(*raw), bins[b])) : raw.status();
      }
      if (!s.ok()) {
        std::lock_guard<std::mutex> l(mu);
        if (first.ok()) first = s;
        next = units.size();
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return first;
}

Status write_bin(const std::string& path, const std::string& bytes) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (fd.get() < 0) return Status::io_error(path + ": open: " + std::strerror(errno));
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::io_error(path + ": write: " + std::strerror(errno));
    done += size_t(n);
  }
  if (::fsync(fd.get()) != 0) return Status::io_error(path + ": fsync: " + std::strerror(errno));
  return Status();
}

}  // namespace

Status chunk_compressible_files(Manifest& m, const std::string& source_dir) {
  if (m.schema < kManifestSchema) return Status();
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    if (e.type != EntryType::file || e.packed() || e.size < kPackBelowBytesV3) continue;
    const std::string what = "sampling '" + printable(e.path) + "'";
    UniqueFd fd(::open((source_dir + "/" + e.path).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) return Status::io_error(what + ": open: " + std::strerror(errno));
    std::string sample(size_t(std::min<uint64_t>(m.chunk_size, e.size)), '\0');
    BC_RETURN_IF_ERROR(pread_all(fd.get(), 0, sample, what));
    if (sample_compresses(bytes_of(sample))) chunk_file(m, i);
  }
  return Status();
}

Result<std::vector<FileHashes>> hash_bins(Manifest& m, const std::string& source_dir, unsigned threads) {
  std::vector<FileHashes> out(m.bins.size());
  BC_RETURN_IF_ERROR(for_each_bin(m, m.bins, source_dir, threads, [&](uint32_t b, const std::string& wire) {
    MerkleHasher h(m.piece_size);
    h.update(bytes_of(wire));
    out[b] = h.finish();
    m.bins[b].size = wire.size();
    m.bins[b].root = out[b].root;
    return Status();
  }));
  return out;
}

Status write_pack_bins(const Manifest& m, const std::string& source_dir, const std::string& bins_dir,
                       unsigned threads) {
  std::error_code ec;
  std::filesystem::create_directories(bins_dir, ec);
  if (ec) return Status::io_error(bins_dir + ": " + ec.message());
  std::vector<PackBin> bins = m.bins;  // encode() rewrites codec/raw_size: same values
  BC_RETURN_IF_ERROR(for_each_bin(m, bins, source_dir, threads, [&](uint32_t b, const std::string& wire) {
    BC_RETURN_IF_ERROR(check_bin_wire(m, b, bytes_of(wire)));
    if (bins[b].codec != m.bins[b].codec)
      return Status::corruption("bin " + pack_bin_path(b) + ": encoded differently than when it was hashed");
    return write_bin(bins_dir + "/" + std::to_string(b), wire);
  }));
  // One fsync per bin and one for the directory, instead of write_file_atomic's
  // two per bin (a base image has tens of thousands): the layer directory is
  // new, so a crash before this returns leaves a build to redo, never a
  // half-written layer in use. (syncfs would flush the whole filesystem,
  // other users' writes included.)
  return fsync_dir(bins_dir);
}

Status write_built_layer(const std::string& dir, const Manifest& m, const std::string& manifest_bytes,
                         const std::string& torrent, const std::string& source_dir) {
  BC_RETURN_IF_ERROR(write_layer_dir(dir, manifest_bytes, torrent, source_dir));
  if (m.bins.empty()) return Status();
  BC_RETURN_IF_ERROR(write_pack_bins(m, source_dir, dir + "/" + kLayerBinsDirName));
  return fsync_dir(dir);
}

}  // namespace bc
