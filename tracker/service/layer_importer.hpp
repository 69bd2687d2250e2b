// Imports a built layer (a `bc-layer build` directory on the tracker's
// machine) into the origin store. The tracker trusts nothing it is handed:
//   1. reads manifest.json and layer.torrent (any manifest.sig is ignored);
//   2. when `ssl_ca_pem` is given (the tracker CA), makes the torrent an SSL
//      torrent carrying it (layers/torrent/ssl_torrent.hpp) and sets the
//      manifest's info_hash to the new torrent's (the piece hashes stay);
//      then signs the exact manifest bytes with the tracker's key and builds
//      a TrustedManifest from them (decode + validate);
//   3. copies the payload's entries (files, dirs, symlinks, modes) into
//      DATA/origin/.import-XXXXXX/, fsyncing every file; packed small files
//      are not copied as files: the layer's bins (DIR/pack) go to
//      .bc-pack/<i>, the torrent's layout;
//   4. verifies the copy with verify_payload (content against the merkle
//      roots, shapes, modes, torrent against the manifest);
//   5. renames it to DATA/origin/<key> (key: the info-hash, or NAME@VERSION
//      for a layer without regular files) and fsyncs the directory.
// The caller then records the layer in one LMDB transaction; an origin
// directory without a record (crash in between) is harmless and reused.
// Runs on a worker thread; takes as long as hashing the payload.
#pragma once

#include <string>
#include <vector>

#include "layers/crypto/ed25519.hpp"
#include "layers/model/trusted_manifest.hpp"

namespace bc::tracker {

struct ImportedLayer {
  Manifest manifest;
  std::string manifest_bytes;
  Signature signature{};
  std::string torrent;
  std::string origin_dir;  // absolute
  // The DNS names a node certificate needs for this layer's SSL torrent
  // (ssl_torrent_cert_names); empty for a layer without a torrent.
  std::vector<std::string> cert_names;
};

// REQUIRES: layer_dir absolute. origin_root: DATA/origin (created if missing).
// ssl_ca_pem: "" publishes the torrent as built (plain; tests of plain swarms).
// A layer without regular files has no torrent and is signed unchanged.
Result<ImportedLayer> import_layer(const std::string& layer_dir, const std::string& origin_root,
                                   const SecretKey& key, const std::string& ssl_ca_pem = "");

std::string origin_key(const Manifest& m);

}  // namespace bc::tracker
