// What every bcctl command shares: the global flags, opening the API client
// for the chosen context, and printing JSON. Each command group adds its
// subcommands with add_*_commands(); a subcommand's callback stores the work
// in `run`, which main() calls after parsing and whose int is the exit code.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ctl/cli/api_client.hpp"
#include "ctl/cli/exit_codes.hpp"

namespace bc::ctl {

struct Globals {
  std::string config_flag;   // --config
  std::string context_flag;  // --context
  std::string output = "table";  // -o table|json
  bool json() const { return output == "json"; }
};

using Run = std::function<int()>;

// The API client of the chosen context; on failure prints the reason and
// stores the exit code in *exit_code (usage for a missing or unknown context).
std::unique_ptr<AdminApi> open_api(const Globals& g, int* exit_code);

// Pretty JSON on stdout (stable key order: the API's objects, sorted).
void print_json(const nlohmann::json& j);

// Adds "\nExamples:\n  ..." to a command's help.
void examples(CLI::App* cmd, const std::string& lines);

// Percent-encodes one path segment (layer refs carry '@', ids are hex).
std::string path_segment(const std::string& s);

void add_context_commands(CLI::App& app, Globals& g, Run& run);
void add_layer_commands(CLI::App& app, Globals& g, Run& run);
void add_branch_commands(CLI::App& app, Globals& g, Run& run);
void add_token_commands(CLI::App& app, Globals& g, Run& run);
void add_assign_commands(CLI::App& app, Globals& g, Run& run);
void add_node_commands(CLI::App& app, Globals& g, Run& run);
void add_rollout_commands(CLI::App& app, Globals& g, Run& run);
void add_audit_commands(CLI::App& app, Globals& g, Run& run);

}  // namespace bc::ctl
