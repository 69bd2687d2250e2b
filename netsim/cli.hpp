// The bc-netsim command line: subcommands wanem, up, linktest, cleanup,
// validate (a scenario file) and report (of a run directory).
// Only this layer reads flags, prints and handles signals.
#pragma once

namespace bc::netsim {

// Parses argv and runs the subcommand; returns the process exit status.
int run_cli(int argc, char** argv);

}  // namespace bc::netsim
