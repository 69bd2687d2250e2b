// Surveys a built layer for the report's content facts
// (report/content_facts.hpp): the raw view from the manifest and the source
// tree (piece hashes of the raw bytes, computed here), the wire view from the
// torrent (its files, roots and piece layers) and the manifest's bins. Reads
// only the layer's own metadata and its source tree, so it stays right
// whatever units the layer format puts in the torrent.
#pragma once

#include <string>

#include "layers/util/status.hpp"
#include "netsim/report/content_facts.hpp"

namespace bc::netsim {

// REQUIRES: layer_dir was built from source_dir (layer_writer.hpp).
// io_error naming the file on a read failure; the layer dir's own errors.
Result<VersionContent> survey_layer(const std::string& layer_dir, const std::string& source_dir);

}  // namespace bc::netsim
