// A layer's signed metadata as a node holds it: fetched from the tracker,
// verified against the pinned tracker key, persisted in the layer's own
// directory, and read back (verified again) after a restart, so a node whose
// tracker is down carries on from what it holds.
//
// A layer directory holds manifest.json, manifest.sig (hex), layer.torrent and
// payload/. Each file is written atomically (temp + rename + fsync); a set
// left half-written by a crash reads as not_found and is fetched again.
#pragma once

#include <cstdint>
#include <string>

#include "layers/crypto/ed25519.hpp"
#include "layers/index/content_index.hpp"
#include "layers/model/trusted_manifest.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "layers/util/status.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::node {

struct HeldLayer {
  TrustedManifest manifest;  // verified against the pinned tracker key
  std::string torrent;       // bencoded, matches the manifest
  TorrentFacts facts;        // read from `torrent`
  std::string dir;           // the layer directory
  std::string payload_dir() const { return dir + "/payload"; }
  uint64_t payload_bytes() const;
};

struct LayerFetchOptions {
  PublicKey tracker_key{};     // the pinned key every manifest must verify against; required
  // The v2 info-hash the desired state names (64 hex); "" = not checked.
  std::string want_info_hash;
};

// GETs the manifest (with X-BC-Signature) and torrent of `ref`, verifies both,
// then writes them into `dir`. Nothing is written unless all verify.
// Errors: the client's (unavailable when the tracker is down), unavailable
// for a non-200 answer, corruption for anything that does not verify.
Result<HeldLayer> fetch_layer(tracker::TrackerClient& client, const LayerRef& ref, const std::string& dir,
                              const LayerFetchOptions& options);

// Reads back what fetch_layer wrote and verifies it as if it came from the
// network. not_found when a file is missing; corruption (naming the file and
// the check) when anything was altered.
Result<HeldLayer> load_layer(const LayerRef& ref, const std::string& dir, const LayerFetchOptions& options);

// The disk first (no tracker call for a layer already held), then the
// tracker. A held copy that fails verification is never used: the tracker's
// copy replaces it, and when the tracker cannot be reached the error names
// both failures.
Result<HeldLayer> obtain_layer(tracker::TrackerClient& client, const LayerRef& ref, const std::string& dir,
                               const LayerFetchOptions& options);

// Before a download: refuses one the state directory's filesystem cannot
// hold (no_space), then copies files the content index already has into the
// payload directory (prepare_payload). Returns the bytes copied.
Result<uint64_t> stage_payload(const HeldLayer& layer, ContentIndex& index, const std::string& state_dir);

}  // namespace bc::node
