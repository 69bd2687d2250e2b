// Removal of namespaces left behind by runs whose owner died (SIGKILL, crash,
// power loss): every "bcns-" namespace whose run lock is free is emptied of
// processes and deleted. Devices vanish with their namespace; TUN devices
// vanish with the emulator's descriptors.
#pragma once

#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::netsim {

struct CleanupReport {
  std::vector<std::string> removed_netns;
  std::vector<std::string> live_runs_kept;  // run ids whose owner is alive
  int killed_processes = 0;
};

// Removes the namespaces of dead runs; with `include_live`, of every run
// (their owners are left to notice). REQUIRES root.
Result<CleanupReport> cleanup_runs(bool include_live);

// Kills every process inside `ns` (SIGKILL) and deletes the namespace.
// Returns how many processes were signalled.
Result<int> delete_netns(const std::string& ns);

}  // namespace bc::netsim
