// bc-reflector import: a portable bundle into the reflector's cache
// (node/layer_import.hpp), with the config's pinned tracker key.
#pragma once

#include <string>

#include "layers/util/status.hpp"

namespace bc::reflector {

// Loads the config at `config_path`, imports `bundle` into its cache
// (CACHE_DIR/layers/<info-hash>, recorded in CACHE_DIR/index) and prints one
// line. Errors: the config's, and import_into_node's.
Status import_command(const std::string& config_path, const std::string& bundle);

}  // namespace bc::reflector
