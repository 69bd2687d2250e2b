// The console's static files (tracker/console/assets/), embedded into the
// binary at build time by embed_assets.cmake: the tracker serves them from
// memory, so there is nothing to install next to it and nothing to drift.
#pragma once

#include <cstddef>
#include <string_view>

namespace bc::tracker {

struct ConsoleAsset {
  std::string_view path;  // relative to assets/, '/'-separated ("views/audit.js")
  std::string_view body;
};

extern const ConsoleAsset kConsoleAssets[];
extern const size_t kConsoleAssetCount;

}  // namespace bc::tracker
