// bcctl: the administrator's command line for branchcast (docs/bcctl.md).
// Flags -> the chosen command -> its exit code (exit_codes.hpp).
#include <iostream>

#include "ctl/cli/cli_common.hpp"

int main(int argc, char** argv) {
  using namespace bc::ctl;
  CLI::App app{"bcctl: administer a branchcast tracker over its HTTPS API (docs/bcctl.md)"};
  app.set_version_flag("--version", "bcctl " BC_VERSION, "print the name and version, then exit");
  app.require_subcommand(1);
  // Global flags may follow the command (bcctl layer ls -o json): every
  // subcommand passes flags it does not know up to here (inherited).
  app.fallthrough();
  Globals g;
  app.add_option("--config", g.config_flag, "Config file (default $BCCTL_CONFIG or ~/.config/branchcast/bcctl.toml)");
  app.add_option("--context", g.context_flag, "Use this context instead of the current one");
  app.add_option("-o,--output", g.output, "table (default) or json")->check(CLI::IsMember({"table", "json"}));
  app.footer(
      "\nExit codes: 0 ok, 1 usage or local problem, 2 not found, 3 token refused or role too low,\n"
      "4 invalid or conflicting request, 5 tracker unreachable or not the pinned one (TLS), 6 tracker failure.\n"
      "\nExamples:\n"
      "  bcctl context add prod --tracker https://tracker.corp:8443 --ca-fingerprint 3F:9A:... --token-file prod.token\n"
      "  bcctl layer ls\n"
      "  bcctl assign --branch berlin base@3 office@5\n"
      "  bcctl rollout status --watch\n");
  Run run;
  add_context_commands(app, g, run);
  add_layer_commands(app, g, run);
  add_branch_commands(app, g, run);
  add_token_commands(app, g, run);
  add_assign_commands(app, g, run);
  add_node_commands(app, g, run);
  add_rollout_commands(app, g, run);
  add_audit_commands(app, g, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help (rc 0) or the error
    return rc == 0 ? 0 : static_cast<int>(Exit::usage);
  }
  if (!run) return fail(Exit::usage, "no command given; see bcctl --help");
  return run();
}
