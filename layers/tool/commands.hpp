// bc-layer subcommands. Each returns the process exit code and prints what
// happened; errors go to stderr as one precise line.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "layers/model/manifest.hpp"
#include "layers/util/human_bytes.hpp"
#include "layers/util/status.hpp"

namespace bc::tool {

// Prints "bc-layer: <status>" to stderr and returns the exit code for it.
int fail(const Status& s);

struct BuildArgs {
  std::string source_dir, out_dir, name, kind = "base", parent;
  int64_t version = 0;
  uint32_t piece_kib = kDefaultPieceBytes / 1024;
  unsigned threads = 0;
  bool no_pack = false;  // --no-pack: every file its own torrent file (for comparisons)
  std::string compress = "zstd";  // --compress=zstd|none
  std::string pack_against;  // --pack-against DIR: the previous version's built layer
  std::vector<std::string> match;  // KEY=GLOB, driver layers
  std::string sign_key;            // optional: sign right after building
};
int cmd_build(const BuildArgs& a);
int cmd_keygen(const std::string& out);
int cmd_sign(const std::string& layer_dir, const std::string& key);
int cmd_verify(const std::string& layer_dir, const std::string& pubkey, unsigned threads);
int cmd_inspect(const std::string& layer_dir, bool json);

// apply_commands.cpp
struct ApplyArgs {
  std::string root, pubkey;
  std::vector<std::string> layers;  // layer dirs, base first
  int keep_generations = 3;
};
int cmd_apply(const ApplyArgs& a);
int cmd_rollback(const std::string& root, int keep_generations);
int cmd_status(const std::string& root, int keep_generations);
int cmd_diff(const std::string& a, const std::string& b, bool json);

}  // namespace bc::tool
