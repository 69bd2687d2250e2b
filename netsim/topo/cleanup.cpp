#include "netsim/topo/cleanup.hpp"

#include <signal.h>

#include <map>
#include <sstream>

#include "netsim/topo/exec.hpp"
#include "netsim/topo/netns.hpp"
#include "netsim/topo/run_lock.hpp"

namespace bc::netsim {

Result<int> delete_netns(const std::string& ns) {
  int killed = 0;
  auto pids = run_command({"ip", "netns", "pids", ns});
  if (pids.ok()) {
    std::istringstream in(*pids);
    long pid = 0;
    while (in >> pid) {
      if (pid > 1 && ::kill(static_cast<pid_t>(pid), SIGKILL) == 0) killed++;
    }
  }
  auto del = run_command({"ip", "netns", "delete", ns});
  if (!del.ok()) return del.status();
  return killed;
}

Result<CleanupReport> cleanup_runs(bool include_live) {
  BC_RETURN_IF_ERROR(require_root("bc-netsim cleanup"));
  std::map<std::string, std::vector<std::string>> by_run;
  for (const std::string& ns : list_netns(kNetnsPrefix)) by_run[run_id_of(ns)].push_back(ns);
  CleanupReport report;
  for (auto& [run, names] : by_run) {
    // Holding the dead run's lock while deleting stops a new run of the same
    // id from starting halfway through.
    Result<RunLock> lock = run.empty() ? Result<RunLock>(RunLock()) : RunLock::acquire(run);
    if (!lock.ok() && lock.status().code() != Status::Code::already_exists) return lock.status();
    if (!lock.ok() && !include_live) {
      report.live_runs_kept.push_back(run);
      continue;
    }
    for (const std::string& ns : names) {
      BC_ASSIGN_OR_RETURN(int killed, delete_netns(ns));
      report.killed_processes += killed;
      report.removed_netns.push_back(ns);
    }
  }
  return report;
}

}  // namespace bc::netsim
