// Writes a LayerPlan as files and builds the layer directory the tracker
// imports (capture_layer + write_layer_dir: manifest.json, layer.torrent,
// payload -> the source tree).
#pragma once

#include <string>

#include "layers/model/manifest.hpp"
#include "layers/util/status.hpp"
#include "netsim/emulate/layer_plan.hpp"
#include "netsim/realistic/realistic_tree.hpp"

namespace bc::netsim {

struct BuiltLayer {
  std::string ref;        // "name@version"
  std::string dir;        // the layer directory to import (absolute)
  std::string src;        // the captured source tree (absolute)
  std::uint64_t total_bytes = 0;
};

// Writes the plan's files under work_dir/src-<name>-<version> and the layer
// directory work_dir/layer-<name>-<version>. REQUIRES: neither exists.
// io_error naming the file on any write failure.
Result<BuiltLayer> write_layer(const LayerPlan& plan, LayerKind kind, const std::string& work_dir);

// Captures the tree `src` as layer `ref` into work_dir/layer-<name>-<version>
// (REQUIRES: absent), packed against version - 1 when that was built in
// work_dir. write_layer ends here; realistic layers call it directly.
Result<BuiltLayer> build_layer(const std::string& src, const LayerRef& ref, LayerKind kind, const std::string& work_dir);

// A realistic layer version: the layer's subtree of roots.v1 (version 1) or
// roots.v2 (version 2, the upgrade), its subset_fraction of files, copied to
// work_dir/src-<name>-<version>, then build_layer. `stats` gets what the
// copy kept and skipped. REQUIRES: l.content == realistic.
Result<BuiltLayer> write_realistic_layer(const LayerDef& l, int version, const RealisticRoots& roots, LayerKind kind,
                                         const std::string& work_dir, SubsetStats* stats);

}  // namespace bc::netsim
