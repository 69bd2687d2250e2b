// Writing a bundle from a built layer directory (layers/model/layer_dir.hpp)
// against the layers a receiver already holds.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc {

struct ExportOptions {
  std::string layer_dir;                  // a built, signed layer directory; required
  std::vector<std::string> against_dirs;  // built layer directories the receiver holds; default none
  std::string out_file;                   // created (not overwritten); required
  // Called with data bytes written so far and the total; default none.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct ExportReport {
  uint64_t files = 0, files_held = 0, files_whole = 0, files_pieces = 0, files_assembled = 0;
  uint64_t pieces_carried = 0;
  uint64_t payload_bytes = 0;  // sum of the layer's torrent file sizes
  uint64_t data_bytes = 0;     // file bytes carried
  uint64_t bundle_bytes = 0;   // the whole file
};

// Streams the bundle to out_file + ".part" (1 MiB buffers), fsyncs it and
// renames it into place; on any error the part file is removed. Errors:
// invalid_argument (unsigned layer, out_file exists), corruption when the
// layer's payload does not match its torrent's sizes, io_error.
Result<ExportReport> export_bundle(const ExportOptions& options);

}  // namespace bc
