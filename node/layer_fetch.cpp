#include "node/layer_fetch.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "layers/index/prepare_payload.hpp"
#include "layers/util/fs.hpp"

namespace bc::node {

namespace {

// Verifies a manifest, its signature and its torrent; `from` says where they
// came from ("tracker" or the directory) for the error messages.
Result<HeldLayer> verify_layer(const LayerRef& ref, std::string manifest, const std::string& sig_hex,
                               std::string torrent, const LayerFetchOptions& o, const std::string& from) {
  const std::string what = "manifest of " + ref.to_string() + " (" + from + "): ";
  auto sig = signature_from_hex(trim(sig_hex));
  if (!sig.ok()) return Status::corruption(what + "no valid signature: " + sig.status().message());
  // The pinned key, never a signer the server names: that is only its claim.
  auto trusted = TrustedManifest::verify(std::move(manifest), *sig, o.tracker_key);
  if (!trusted.ok())
    return Status::corruption(what + "does not verify against the pinned tracker key: " +
                              trusted.status().message());
  if (!(trusted->manifest().ref() == ref))
    return Status::corruption(what + "it is the manifest of " + trusted->manifest().ref().to_string());
  auto facts = read_layer_torrent(torrent);
  if (!facts.ok()) return Status::corruption(what + "torrent: " + facts.status().message());
  if (!o.want_info_hash.empty() && facts->info_hash != o.want_info_hash)
    return Status::corruption(what + "torrent has info_hash " + facts->info_hash + ", the desired state says " +
                              o.want_info_hash);
  Status match = check_torrent_matches(trusted->manifest(), *facts);
  if (!match.ok()) return Status::corruption(what + "torrent does not match the signed manifest: " + match.message());
  return HeldLayer{std::move(*trusted), std::move(torrent), std::move(*facts), ""};
}

Result<std::string> tracker_get(tracker::TrackerClient& client, const LayerRef& ref, const std::string& part,
                                std::string* sig_hex) {
  auto r = client.node_call("GET", "/api/v1/layers/" + ref.to_string() + "/" + part);
  if (!r.ok()) return r.status().with_context("layer " + ref.to_string() + ": " + part);
  if (r->status != 200)
    return Status::unavailable("layer " + ref.to_string() + ": " + part + ": tracker answered " +
                               std::to_string(r->status));
  if (sig_hex) *sig_hex = r->header("x-bc-signature");
  return std::move(r->body);
}

}  // namespace

uint64_t HeldLayer::payload_bytes() const {
  uint64_t sum = 0;
  for (const auto& e : manifest.manifest().entries) sum += e.size;
  return sum;
}

Result<HeldLayer> fetch_layer(tracker::TrackerClient& client, const LayerRef& ref, const std::string& dir,
                              const LayerFetchOptions& options) {
  std::string sig_hex;
  BC_ASSIGN_OR_RETURN(std::string manifest, tracker_get(client, ref, "manifest", &sig_hex));
  BC_ASSIGN_OR_RETURN(std::string torrent, tracker_get(client, ref, "torrent", nullptr));
  BC_ASSIGN_OR_RETURN(HeldLayer held, verify_layer(ref, manifest, sig_hex, std::move(torrent), options, "from the tracker"));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::io_error(dir + ": " + ec.message());
  // The torrent and signature first, the manifest last: until the manifest
  // is there, load_layer reads not_found.
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/layer.torrent", held.torrent, 0644));
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/manifest.sig", trim(sig_hex) + "\n", 0644));
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/manifest.json", manifest, 0644));
  held.dir = dir;
  return held;
}

Result<HeldLayer> load_layer(const LayerRef& ref, const std::string& dir, const LayerFetchOptions& options) {
  std::error_code ec;
  for (const char* f : {"manifest.json", "manifest.sig", "layer.torrent"})
    if (!std::filesystem::is_regular_file(dir + "/" + f, ec))
      return Status::not_found("layer " + ref.to_string() + ": " + dir + "/" + f + " is not held");
  BC_ASSIGN_OR_RETURN(std::string manifest, read_small_file(dir + "/manifest.json", kMaxManifestBytes));
  BC_ASSIGN_OR_RETURN(std::string sig_hex, read_small_file(dir + "/manifest.sig", 1024));
  BC_ASSIGN_OR_RETURN(std::string torrent, read_small_file(dir + "/layer.torrent", kMaxTorrentBytes));
  BC_ASSIGN_OR_RETURN(HeldLayer held,
                      verify_layer(ref, std::move(manifest), sig_hex, std::move(torrent), options, "held in " + dir));
  held.dir = dir;
  return held;
}

Result<HeldLayer> obtain_layer(tracker::TrackerClient& client, const LayerRef& ref, const std::string& dir,
                               const LayerFetchOptions& options) {
  auto held = load_layer(ref, dir, options);
  if (held.ok()) return held;
  auto fetched = fetch_layer(client, ref, dir, options);
  if (fetched.ok() || held.status().code() == Status::Code::not_found) return fetched;
  return Status::corruption(held.status().message() + "; refused, and the tracker's copy: " +
                            fetched.status().to_string());
}

Result<uint64_t> stage_payload(const HeldLayer& layer, ContentIndex& index, const std::string& state_dir) {
  // Filling the disk is worse than failing early: libtorrent 2.0.8's
  // memory-mapped storage can die of SIGBUS when a mapped page cannot be
  // backed (seen on a full tmpfs; docs/architecture.md).
  uint64_t needed = 0;
  for (const PayloadFile& e : layer.manifest.manifest().payload_files()) {
    struct stat st{};
    const std::string path = layer.payload_dir() + "/" + e.path;
    uint64_t have = ::stat(path.c_str(), &st) == 0 ? uint64_t(st.st_blocks) * 512 : 0;
    needed += e.size > have ? e.size - have : 0;
  }
  struct statvfs vfs{};
  if (::statvfs(state_dir.c_str(), &vfs) != 0)
    return Status::io_error(state_dir + ": statvfs: " + std::strerror(errno));
  const uint64_t free_bytes = uint64_t(vfs.f_bavail) * vfs.f_frsize;
  const std::string ref = layer.manifest.manifest().ref().to_string();
  if (needed > free_bytes)
    return Status::no_space("not enough disk space for layer " + ref + ": it needs " + std::to_string(needed) +
                            " more bytes, " + state_dir + " has " + std::to_string(free_bytes) + " free");
  auto prep = prepare_payload(layer.manifest, layer.facts, layer.payload_dir(), index);
  if (!prep.ok()) return prep.status().with_context("layer " + ref + ": prepare payload");
  return prep->bytes_seeded();
}

}  // namespace bc::node
