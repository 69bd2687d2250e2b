// `bc-netsim simulate`'s core: the whole fleet of a scenario in virtual time,
// as a fluid model (docs/netsim.md, "simulate"). Pure: no sockets, threads,
// files or clock; the seed is the only source of randomness, containers are
// ordered and iteration is stable, so one seed gives one result bit for bit.
//
// What decides the outcome is our real code, linked in: the tracker's peer
// selection and origin grants (tracker/bt/policy select_peers) say who each
// node may fetch from, and the WAN governor (layers/governor) sets each WAN
// node's download rate from the link's modelled queueing delay. The network
// is modelled: each WAN link, the datacenter uplink and every LAN port is a
// bottleneck shared by the flows crossing it; content moves in chunks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/util/status.hpp"
#include "netsim/scenario/scenario.hpp"

namespace bc::netsim::sim {

struct SimOptions {
  std::uint64_t seed = 1;
  std::int64_t step_ms = 200;               // fluid step and governor tick
  // Transfer unit: 4 MiB keeps a 4 GiB layer at 1,024 bits per node (10,000
  // nodes: 1.3 MB of bitsets) and a chunk at 0.2-3 s on the links we model.
  std::uint64_t chunk_bytes = 4ull << 20;
  int slots = 4;                            // chunks a node fetches at once
  std::int64_t announce_interval_ms = 60'000;  // re-announce of an incomplete node (the tracker's min interval)
  std::size_t numwant = 50;                 // peers asked for per announce
  std::int64_t origin_bucket_ms = 1'000;    // origin upload series resolution
  std::int64_t unix_epoch_s = 1'767'225'600;  // wall clock at t=0 (policy windows); 2026-01-01
};

// The fullest any link was, for the "no flow exceeds its link" invariant.
struct LinkUse {
  double max_wan_ratio = 0;     // max over steps and branches of (branchcast + cross) rate / capacity
  double max_uplink_ratio = 0;  // same for the datacenter uplink
};

struct BranchOutcome {
  std::string name;
  std::size_t reflectors = 0, endpoints = 0;
  std::uint64_t wan_down_bytes = 0;     // branchcast bytes into the branch over its WAN link
  double queue_delay_p95_ms = 0;        // of the modelled WAN down queue, over steps with traffic
  std::int64_t governor_ticks = 0;
  // completion_ms[a][i]: endpoint i's completion of assignment a, ms after
  // the assignment (-1 = not complete, or not targeted: see targeted[a]).
  std::vector<std::vector<std::int64_t>> completion_ms;
  std::vector<bool> targeted;
};

struct SimResult {
  std::uint64_t seed = 0;
  std::int64_t end_ms = 0;                 // virtual time the run stopped
  bool all_complete = false;
  std::uint64_t origin_upload_bytes = 0;
  std::vector<double> origin_bytes_per_s;  // per origin_bucket_ms bucket
  std::vector<BranchOutcome> branches;
  LinkUse link_use;
  std::uint64_t origin_grants_refused = 0;  // select_peers calls that found the grants full
  std::uint64_t announces = 0;
  std::uint64_t chunks_moved = 0;
  std::vector<std::string> violations;  // failed invariants (empty = all held)
};

// REQUIRES: s has branches, layers and assignments with valid fields (the
// scenario parser's bounds, except the branch count, which a fleet raises).
// invalid_argument for a scenario the model cannot run: a layer without a
// size (realistic content), or layers too large for the chunk index.
Result<SimResult> simulate(const Scenario& s, const SimOptions& o);

}  // namespace bc::netsim::sim
