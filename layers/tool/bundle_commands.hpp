// bc-layer export / import: portable bundles (layers/bundle/).
#pragma once

#include <string>
#include <vector>

namespace bc::tool {

struct ExportArgs {
  std::string layer_dir, out;
  std::vector<std::string> against;  // built layer directories the receiver holds
};
int cmd_export(const ExportArgs& a);

struct ImportArgs {
  std::string bundle, out, pubkey;
  std::vector<std::string> parents;  // built layer directories this machine holds
  unsigned threads = 0;
};
int cmd_import(const ImportArgs& a);

}  // namespace bc::tool
