// Reading a bundle's header and table and checking them before anything is
// written: the signature first (with the key the caller pins), then that the
// manifest is the layer the header claims, the torrent matches the manifest,
// and every table entry names a file of the layer with the torrent's size.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "layers/bundle/bundle_format.hpp"
#include "layers/bundle/bundle_io.hpp"
#include "layers/crypto/ed25519.hpp"
#include "layers/model/trusted_manifest.hpp"
#include "layers/torrent/layer_torrent.hpp"

namespace bc {

struct OpenedBundle {
  explicit OpenedBundle(BundleReader r) : reader(std::move(r)) {}
  const TrustedManifest& manifest() const { return *trusted; }

  BundleReader reader;  // positioned at the first data byte
  BundleMeta meta;
  std::optional<TrustedManifest> trusted;  // set once the signature verified
  std::string torrent;
  TorrentFacts facts;
  std::vector<BundleEntry> table;  // one per torrent file, checked
  uint64_t data_bytes = 0;
};

// Errors (all name the bundle file): not_found (no file), corruption for a
// bad magic, a truncated or over-long file, a signature that does not verify
// against `signer`, a manifest of another layer than the header claims, a
// torrent that does not match it, a table entry naming a path that is not a
// file of the layer, a size other than the torrent's, or a file left out.
// unsupported for another format version.
Result<OpenedBundle> open_bundle(const std::string& path, const PublicKey& signer);

}  // namespace bc
