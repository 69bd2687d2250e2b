// Builds small real layers (capture_layer + write_layer_dir) for tracker tests.
#pragma once

#include <map>
#include <string>

#include "layers/model/manifest.hpp"

namespace bc::test {

// Writes `files` (relative path -> content) under `root`/src-NAME-VERSION,
// captures them as layer `ref` of `kind` and writes the built layer directory
// `root`/layer-NAME-VERSION. Returns the layer directory (absolute).
std::string make_layer_dir(const std::string& root, const std::string& ref,
                           const std::map<std::string, std::string>& files,
                           LayerKind kind = LayerKind::base,
                           const std::map<std::string, std::string>& match = {});

}  // namespace bc::test
