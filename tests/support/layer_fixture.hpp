// Layers captured from a directory for tests: the capture options tests use,
// and a signed, trusted layer for code that takes a TrustedManifest (content
// index, swarm node).
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "layers/capture/capture.hpp"
#include "layers/capture/pack_bins.hpp"
#include "layers/crypto/ed25519.hpp"
#include "layers/model/trusted_manifest.hpp"
#include "layers/torrent/layer_torrent.hpp"

namespace bc::test {

struct TestLayer {
  std::string source_dir;  // the captured tree plus its bins in .bc-pack (a valid seed payload)
  TrustedManifest trusted;
  std::string torrent;
  TorrentFacts facts;
  PublicKey signer{};
  const Manifest& manifest() const { return trusted.manifest(); }
  LayerRef ref() const { return trusted.manifest().ref(); }
};

// Capture options for `source_dir` as tests use them: a fixed creation time,
// so two captures of one tree are byte-identical.
inline CaptureOptions capture_options(const std::string& source_dir, LayerRef ref = {"base", 1},
                                      uint32_t piece_bytes = 64 * 1024) {
  CaptureOptions o;
  o.source_dir = source_dir;
  o.ref = std::move(ref);
  o.piece_bytes = piece_bytes;
  o.created_unix_s = 1'800'000'000;
  return o;
}

inline TestLayer capture_test_layer(const std::string& source_dir, LayerRef ref, uint32_t piece_bytes,
                                    const SecretKey& key = SecretKey::generate(), bool pack_small_files = true,
                                    const Manifest* pack_against = nullptr, bool compress = true) {
  CaptureOptions o = capture_options(source_dir, std::move(ref), piece_bytes);
  o.pack_small_files = pack_small_files;
  o.compress = compress;
  if (pack_against) o.pack_against = *pack_against;
  auto captured = capture_layer(o);
  REQUIRE_MESSAGE(captured.ok(), captured.status().to_string());
  std::string bytes = captured->manifest.encode();
  Signature sig = key.sign({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  auto trusted = TrustedManifest::verify(bytes, sig, key.public_key());
  REQUIRE(trusted.ok());
  auto facts = read_layer_torrent(captured->torrent);
  REQUIRE(facts.ok());
  // The bins of packed files go where a payload directory keeps them
  // (source_dir/.bc-pack), so the captured tree is a complete seed payload.
  // Capturing the same tree again would then refuse the reserved name.
  Status bins = write_pack_bins(captured->manifest, source_dir, payload_bins_dir(source_dir));
  REQUIRE_MESSAGE(bins.ok(), bins.to_string());
  return TestLayer{source_dir, std::move(*trusted), captured->torrent, std::move(*facts), key.public_key()};
}

}  // namespace bc::test
