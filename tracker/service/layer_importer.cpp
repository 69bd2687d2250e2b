#include "tracker/service/layer_importer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "layers/capture/verify.hpp"
#include "layers/model/layer_dir.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "layers/torrent/ssl_torrent.hpp"
#include "layers/util/fs.hpp"

namespace bc::tracker {

namespace fs = std::filesystem;

std::string origin_key(const Manifest& m) {
  return m.info_hash.empty() ? m.name + "@" + std::to_string(m.version) : m.info_hash;
}

namespace {
Status fsync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::io_error(path + ": open: " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::io_error(path + ": fsync: " + std::strerror(err));
  return Status();
}

Status copy_entry(const Entry& e, const std::string& from, const std::string& to) {
  std::error_code ec;
  std::string src = from + "/" + e.path, dst = to + "/" + e.path;
  switch (e.type) {
    case EntryType::dir:
      fs::create_directory(dst, ec);
      break;
    case EntryType::symlink:
      fs::create_symlink(e.target, dst, ec);
      break;
    case EntryType::file:
      if (fs::is_symlink(src, ec) || !fs::is_regular_file(src, ec))
        return Status::corruption("'" + printable(e.path) + "': not a regular file in the payload");
      fs::copy_file(src, dst, fs::copy_options::none, ec);
      if (!ec) {
        ::chmod(dst.c_str(), 0600);
        BC_RETURN_IF_ERROR(fsync_path(dst));
      }
      break;
  }
  if (ec) return Status::io_error("'" + printable(e.path) + "': copy: " + ec.message());
  return Status();
}

// The bins of packed files, to DATA/origin/<key>/.bc-pack/<i>: the origin
// store holds the torrent's layout, which a web seed serves as it is.
Status copy_bins(const Manifest& m, const std::string& bins_dir, const std::string& to) {
  if (m.bins.empty()) return Status();
  const std::string dst_dir = payload_bins_dir(to);
  std::error_code ec;
  fs::create_directory(dst_dir, ec);
  if (ec) return Status::io_error(dst_dir + ": " + ec.message());
  for (size_t b = 0; b < m.bins.size(); ++b) {
    const std::string src = bins_dir + "/" + std::to_string(b), dst = dst_dir + "/" + std::to_string(b);
    if (fs::is_symlink(src, ec) || !fs::is_regular_file(src, ec))
      return Status::corruption("bin " + pack_bin_path(b) + ": not a regular file in " + bins_dir);
    fs::copy_file(src, dst, fs::copy_options::none, ec);
    if (ec) return Status::io_error("bin " + pack_bin_path(b) + ": copy: " + ec.message());
    ::chmod(dst.c_str(), 0644);
    BC_RETURN_IF_ERROR(fsync_path(dst));
  }
  return fsync_dir(dst_dir);
}

// Modes last and deepest first, so read-only directories do not block the copy.
Status apply_modes(const Manifest& m, const std::string& to) {
  for (auto it = m.entries.rbegin(); it != m.entries.rend(); ++it) {
    if (it->type == EntryType::symlink || it->packed()) continue;
    std::string p = to + "/" + it->path;
    if (::chmod(p.c_str(), it->mode) != 0)
      return Status::io_error(p + ": chmod: " + std::strerror(errno));
    if (it->type == EntryType::dir) BC_RETURN_IF_ERROR(fsync_dir(p));
  }
  return fsync_dir(to);
}

void remove_tree(const std::string& dir) {
  std::error_code ec;
  for (auto i = fs::recursive_directory_iterator(dir, ec); !ec && i != fs::recursive_directory_iterator(); i.increment(ec))
    if (i->is_directory(ec) && !i->is_symlink(ec)) ::chmod(i->path().c_str(), 0755);
  fs::remove_all(dir, ec);
}

// The layer's torrent as an SSL torrent carrying the CA, and its manifest
// re-encoded with the new info-hash. The untrusted manifest is only decoded
// here; verify_payload checks the result against the files afterwards.
// Returns the names a node certificate needs for the torrent.
Result<std::vector<std::string>> make_ssl_layer(LayerDir& ld, const std::string& ca_pem) {
  if (ld.torrent.empty()) return std::vector<std::string>{};
  if (!ca_pem.empty()) {
    BC_ASSIGN_OR_RETURN(Manifest m, Manifest::decode(ld.manifest_bytes));
    BC_ASSIGN_OR_RETURN(std::string torrent, make_ssl_torrent(ld.torrent, ca_pem));
    BC_ASSIGN_OR_RETURN(TorrentFacts facts, read_layer_torrent(torrent));
    m.info_hash = facts.info_hash;
    ld.manifest_bytes = m.encode();
    ld.torrent = std::move(torrent);
  }
  BC_ASSIGN_OR_RETURN(TorrentFacts facts, read_layer_torrent(ld.torrent));
  return ssl_torrent_cert_names(facts);
}
}  // namespace

Result<ImportedLayer> import_layer(const std::string& layer_dir, const std::string& origin_root,
                                   const SecretKey& key, const std::string& ssl_ca_pem) {
  if (layer_dir.empty() || layer_dir[0] != '/')
    return Status::invalid_argument("layer directory must be an absolute path on the tracker");
  BC_ASSIGN_OR_RETURN(LayerDir ld, load_layer_dir(layer_dir));
  auto cert_names = make_ssl_layer(ld, ssl_ca_pem);
  if (!cert_names.ok()) return cert_names.status().with_context("ssl torrent");
  const std::string& bytes = ld.manifest_bytes;
  Signature sig = key.sign({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  BC_ASSIGN_OR_RETURN(TrustedManifest tm, TrustedManifest::verify(bytes, sig, key.public_key()));
  std::error_code ec;
  fs::create_directories(origin_root, ec);
  if (ec) return Status::io_error(origin_root + ": " + ec.message());
  std::string tmpl = origin_root + "/.import-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return Status::io_error(origin_root + ": mkdtemp: " + std::strerror(errno));
  std::string tmp = tmpl;
  auto fail = [&](Status s) {
    remove_tree(tmp);
    return s;
  };
  for (const auto& e : tm.manifest().entries) {
    if (e.packed()) continue;  // its bytes are in its bin
    Status s = copy_entry(e, ld.payload_dir, tmp);
    if (!s.ok()) return fail(s);
  }
  if (Status s = copy_bins(tm.manifest(), ld.bins_dir, tmp); !s.ok()) return fail(s);
  if (Status s = apply_modes(tm.manifest(), tmp); !s.ok()) return fail(s);
  if (Status s = verify_payload(tm, ld.torrent, tmp); !s.ok()) return fail(s.with_context("verify"));
  std::string final_dir = origin_root + "/" + origin_key(tm.manifest());
  if (fs::exists(final_dir, ec)) {
    remove_tree(tmp);  // an earlier import of the same content; it was verified before its rename
  } else {
    ::chmod(tmp.c_str(), 0755);
    if (::rename(tmp.c_str(), final_dir.c_str()) != 0)
      return fail(Status::io_error(final_dir + ": rename: " + std::strerror(errno)));
  }
  BC_RETURN_IF_ERROR(fsync_dir(origin_root));
  return ImportedLayer{tm.manifest(), bytes, sig, ld.torrent, final_dir, std::move(*cert_names)};
}

}  // namespace bc::tracker
