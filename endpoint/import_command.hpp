// bc-endpoint import: a portable bundle into the endpoint's state directory
// (node/layer_import.hpp), with the enrolled config's pinned tracker key.
#pragma once

#include <string>

#include "layers/util/status.hpp"

namespace bc::endpoint {

// Imports `bundle` into DIR/layers/<NAME@V> (recorded in DIR/index) and
// prints one line. Errors: the config's, and import_into_node's.
Status import_command(const std::string& dir, const std::string& bundle);

}  // namespace bc::endpoint
