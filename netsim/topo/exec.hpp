// Runs a helper program (ip, tc, sysctl) to completion and reports failure as
// a Status carrying the command line and what it printed.
#pragma once

#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::netsim {

// The most output kept from one command; the rest is read and discarded.
inline constexpr std::size_t kMaxCommandOutputBytes = 64 * 1024;

// Runs argv (argv[0] looked up in PATH) with stdin closed, stdout and stderr
// captured together. Returns the output when the exit status is 0, otherwise
// an io_error naming the command, its status and its output.
Result<std::string> run_command(const std::vector<std::string>& argv);

// The command line as one string, for messages.
std::string join_argv(const std::vector<std::string>& argv);

}  // namespace bc::netsim
