// `bc-netsim emulate`: runs a scenario with the real bc-tracker, bc-reflector
// and bc-endpoint processes in the namespace topology, the WAN links through
// the userspace emulator, and writes what the run report reads.
//
// Steps: build the topology and start the emulator; generate the layers from
// the scenario seed and build them; start bc-tracker (origin seed on) in the
// datacenter node, import the layers, create the branches with their LAN
// subnets and enrollment tokens; init/enroll and run every reflector and
// endpoint in its node; carry out the timeline (assignments, faults, cross
// traffic) against the run clock; stop when every endpoint holds its
// branch's final stack and the timeline is done, or at the scenario's
// duration (a stop signal during the timeline ends it early, with the same
// outputs); write links.json and nodes.json and the report (table, JSON,
// plots) into the run directory. Everything is torn down when run() returns,
// whatever happened (the Topology also kills what it spawned).
//
// Thread affinity: one thread; REQUIRES root.
#pragma once

#include <functional>
#include <string>

#include "layers/util/status.hpp"
#include "netsim/realistic/realistic_tree.hpp"
#include "netsim/scenario/scenario.hpp"

namespace bc::netsim {

struct EmulateOptions {
  std::string run_dir;          // required; created; holds every file of the run
  std::string run_id;           // namespaces bcns-<run_id>-*; [a-z0-9]{1,12}; required
  std::string bin_dir;          // where bc-tracker/bc-reflector/bc-endpoint are; "" = build tree, then PATH
  int rt_priority = 50;         // SCHED_FIFO priority of the emulator thread, 0 = off; default 50
  int poll_ms = 1000;           // status poll and progress bookkeeping period; default 1 s
  int progress_every_ms = 5000; // a progress line this often; default 5 s
  bool plots = true;            // draw the gnuplot PNGs; default on
  // Where scripts/realistic-roots.sh cached the Debian roots that layers
  // with content = "realistic" come from; default /var/cache/branchcast/roots.
  std::string roots_dir = kDefaultRootsDir;
  // Plain torrents and sockets between peers (no TLS): only to measure what
  // encryption costs against the same scenario encrypted. Default false.
  bool insecure_plain_peers = false;
  // Gets each progress line (without newline). Default: none.
  std::function<void(const std::string&)> progress;
  // Polled between steps and every loop turn; true stops the run (Ctrl-C).
  std::function<bool()> should_stop;
};

struct EmulateResult {
  bool all_complete = false;    // every endpoint held its branch's final stack
  bool interrupted = false;     // a stop signal ended the run early (the report covers the run so far)
  double run_s = 0;             // timeline clock at the end
  std::string report_table;     // what report.txt holds
};

// REQUIRES: scenario validated (already scaled, if it is to be).
Result<EmulateResult> run_emulation(const Scenario& scenario, const EmulateOptions& options);

}  // namespace bc::netsim
