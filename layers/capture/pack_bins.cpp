#include "layers/capture/pack_bins.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "layers/model/layer_dir.hpp"
#include "layers/model/pack.hpp"
#include "layers/util/fs.hpp"

namespace bc {
namespace {

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The bin's bytes from its members' files; each member checked against its
// manifest size and root.
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

struct UniqueFd {
  int fd;
  explicit UniqueFd(int f) : fd(f) {}
  ~UniqueFd() { if (fd >= 0) ::close(fd); }
  int get() const { return fd; }
};

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

Status hash_bins(Manifest& m, const std::string& source_dir) {
  const auto members = bin_members(m);
  for (size_t b = 0; b < m.bins.size(); ++b) {
    BC_ASSIGN_OR_RETURN(std::string bin, read_bin_from_tree(m, members[b], source_dir));
    if (bin.size() != m.bins[b].size) return Status::internal("bin " + std::to_string(b) + " size mismatch");
    m.bins[b].root = small_file_root(bytes_of(bin), m.piece_size);
  }
  return Status();
}

Status write_pack_bins(const Manifest& m, const std::string& source_dir, const std::string& bins_dir) {
  std::error_code ec;
  std::filesystem::create_directories(bins_dir, ec);
  if (ec) return Status::io_error(bins_dir + ": " + ec.message());
  const auto members = bin_members(m);
  for (size_t b = 0; b < m.bins.size(); ++b) {
    BC_ASSIGN_OR_RETURN(std::string bin, read_bin_from_tree(m, members[b], source_dir));
    BC_RETURN_IF_ERROR(check_bin_bytes(m, uint32_t(b), members[b], bytes_of(bin)));
    BC_RETURN_IF_ERROR(write_bin(bins_dir + "/" + std::to_string(b), bin));
  }
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
