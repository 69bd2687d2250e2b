#include "ctl/cli/cli_common.hpp"

#include <iostream>

namespace bc::ctl {

std::unique_ptr<AdminApi> open_api(const Globals& g, int* exit_code) {
  const std::string path = config_path(g.config_flag);
  auto cfg = load_config(path);
  if (!cfg.ok()) {
    *exit_code = fail(Exit::usage, cfg.status().message());
    return nullptr;
  }
  auto ctx = pick_context(*cfg, g.context_flag);
  if (!ctx.ok()) {
    *exit_code = fail(Exit::usage, ctx.status().message() + " (config " + path + ")");
    return nullptr;
  }
  auto api = AdminApi::open(*ctx);
  if (!api.ok()) {
    *exit_code = fail(Exit::usage, api.status().message());
    return nullptr;
  }
  return std::move(*api);
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << "\n"; }

void examples(CLI::App* cmd, const std::string& lines) { cmd->footer("\nExamples:\n" + lines); }

std::string path_segment(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '@') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace bc::ctl
