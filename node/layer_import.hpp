// Importing a portable bundle (layers/bundle/) into a node's store, so the
// node holds and seeds the layer as if it had fetched it: the manifest is
// verified against the node's pinned tracker key before anything is written,
// the payload is rebuilt from the bundle plus what the content index holds,
// every byte verified, then written where the node keeps its layers (the
// same layer directory fetch_layer fills) and recorded in the content index.
// When the desired state names the layer, obtain_layer finds it on disk and
// libtorrent's check finds every piece: nothing crosses the WAN.
//
// Run it while the node is stopped or before the layer is desired: a layer
// directory that exists (a fetch under way) is refused, never overwritten.
#pragma once

#include <functional>
#include <string>

#include "layers/bundle/bundle_import.hpp"
#include "node/layer_fetch.hpp"

namespace bc::node {

struct NodeImportOptions {
  PublicKey tracker_key{};  // the node's pinned tracker key; required
  // The node's directory for a layer (reflector: by info-hash, endpoint: by ref); required.
  std::function<std::string(const LayerRef& ref, const std::string& info_hash)> layer_dir;
  std::function<void(uint64_t done, uint64_t total)> progress;  // default none
};

struct NodeImport {
  HeldLayer held;
  ImportReport report;
};

// Errors: those of open_bundle and rebuild_bundle (each leaves the store as
// it was), and the content index's (the layer directory is then removed).
Result<NodeImport> import_into_node(const std::string& bundle_path, ContentIndex& index,
                                    const NodeImportOptions& options);

// One line for the commands: what was imported, where, and from what.
std::string import_summary(const NodeImport& imported);

}  // namespace bc::node
