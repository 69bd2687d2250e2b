#include "layers/model/layer_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "layers/util/fs.hpp"

namespace bc {

namespace fs = std::filesystem;

Result<TrustedManifest> LayerDir::trust(const PublicKey& signer) const {
  if (!signature) return Status::permission_denied(dir + ": layer is not signed (no manifest.sig)");
  return TrustedManifest::verify(manifest_bytes, *signature, signer);
}

Result<LayerDir> load_layer_dir(const std::string& dir) {
  LayerDir l;
  l.dir = dir;
  BC_ASSIGN_OR_RETURN(l.manifest_bytes, read_small_file(dir + "/manifest.json", kMaxManifestBytes));
  auto sig = read_small_file(dir + "/manifest.sig", 1024);
  if (sig.ok()) {
    BC_ASSIGN_OR_RETURN(Signature s, signature_from_hex(trim(*sig)));
    l.signature = s;
  } else if (sig.status().code() != Status::Code::not_found) {
    return sig.status();
  }
  auto tor = read_small_file(dir + "/layer.torrent", kMaxTorrentBytes);
  if (tor.ok()) l.torrent = std::move(*tor);
  else if (tor.status().code() != Status::Code::not_found) return tor.status();
  std::error_code ec;
  fs::path payload = fs::canonical(fs::path(dir) / "payload", ec);
  if (ec) return Status::not_found(dir + "/payload: " + ec.message());
  l.payload_dir = payload.string();
  const fs::path bins = fs::path(dir) / kLayerBinsDirName;
  l.bins_dir = fs::is_directory(bins, ec) ? fs::absolute(bins, ec).lexically_normal().string()
                                          : payload_bins_dir(l.payload_dir);
  return l;
}

Status write_layer_dir(const std::string& dir, const std::string& manifest_bytes,
                       const std::string& torrent, const std::string& payload_target) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::io_error(dir + ": " + ec.message());
  if (!fs::is_empty(dir, ec)) return Status::already_exists(dir + ": exists and is not empty");
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/manifest.json", manifest_bytes, 0644));
  if (!torrent.empty()) BC_RETURN_IF_ERROR(write_file_atomic(dir + "/layer.torrent", torrent, 0644));
  fs::path abs = fs::absolute(payload_target, ec);
  if (ec) return Status::io_error(payload_target + ": " + ec.message());
  if (::symlink(abs.c_str(), (dir + "/payload").c_str()) != 0)
    return Status::io_error(dir + "/payload: symlink: " + std::strerror(errno));
  return fsync_dir(dir);
}

Status write_layer_signature(const std::string& dir, const Signature& sig) {
  return write_file_atomic(dir + "/manifest.sig", signature_hex(sig) + "\n", 0644);
}

}  // namespace bc
