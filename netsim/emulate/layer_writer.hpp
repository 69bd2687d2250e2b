// Writes a LayerPlan as files and builds the layer directory the tracker
// imports (capture_layer + write_layer_dir: manifest.json, layer.torrent,
// payload -> the source tree).
#pragma once

#include <string>

#include "layers/model/manifest.hpp"
#include "layers/util/status.hpp"
#include "netsim/emulate/layer_plan.hpp"

namespace bc::netsim {

struct BuiltLayer {
  std::string ref;        // "name@version"
  std::string dir;        // the layer directory to import (absolute)
  std::uint64_t total_bytes = 0;
};

// Writes the plan's files under work_dir/src-<name>-<version> and the layer
// directory work_dir/layer-<name>-<version>. REQUIRES: neither exists.
// io_error naming the file on any write failure.
Result<BuiltLayer> write_layer(const LayerPlan& plan, LayerKind kind, const std::string& work_dir);

}  // namespace bc::netsim
