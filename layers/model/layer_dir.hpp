// A built layer on disk, as `bc-layer build` writes it:
//   DIR/manifest.json   the exact manifest bytes (what is signed)
//   DIR/manifest.sig    detached Ed25519 signature, hex (after `bc-layer sign`)
//   DIR/layer.torrent   the v2 torrent (absent when the layer has no regular file)
//   DIR/payload         symlink to the captured tree (capture copies nothing),
//                       or a directory holding the files at their manifest paths
//   DIR/pack/<i>        bin i of packed small files (layers/model/pack.hpp),
//                       written by write_pack_bins: the one thing a build
//                       writes besides metadata (the tree has no bins)
// Loading checks sizes and shapes only; trust comes from TrustedManifest.
#pragma once

#include <optional>
#include <string>

#include "layers/crypto/ed25519.hpp"
#include "layers/model/trusted_manifest.hpp"

namespace bc {

struct LayerDir {
  std::string dir;
  std::string manifest_bytes;
  std::optional<Signature> signature;
  std::string torrent;      // empty when absent
  std::string payload_dir;  // resolved path of DIR/payload
  // DIR/pack when it exists, else payload_bins_dir(payload_dir).
  std::string bins_dir;

  // Decoded but untrusted; for inspection only.
  Result<Manifest> peek() const { return Manifest::decode(manifest_bytes); }
  Result<TrustedManifest> trust(const PublicKey& signer) const;
};

Result<LayerDir> load_layer_dir(const std::string& dir);

// Creates DIR (must not exist or be empty) with manifest, torrent and the
// payload symlink to `payload_target` (made absolute).
Status write_layer_dir(const std::string& dir, const std::string& manifest_bytes,
                       const std::string& torrent, const std::string& payload_target);

inline constexpr const char* kLayerBinsDirName = "pack";

Status write_layer_signature(const std::string& dir, const Signature& sig);

}  // namespace bc
