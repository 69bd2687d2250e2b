// The simulator's state, shared by its steps (simulator.cpp: the loop and
// chunk picking; sim_rates.cpp: bandwidth sharing and the governor;
// sim_tracker.cpp: announces through the tracker's real peer selection).
// Internal to netsim/sim.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "layers/governor/governor.hpp"
#include "layers/util/rng.hpp"
#include "netsim/sim/simulator.hpp"
#include "tracker/bt/swarm.hpp"

namespace bc::netsim::sim {

using Bits = std::vector<std::uint64_t>;

inline bool bit(const Bits& b, std::uint32_t i) { return (b[i >> 6] >> (i & 63)) & 1; }
inline void set_bit(Bits& b, std::uint32_t i) { b[i >> 6] |= 1ull << (i & 63); }
inline void clear_bit(Bits& b, std::uint32_t i) { b[i >> 6] &= ~(1ull << (i & 63)); }

enum class Role : std::uint8_t { origin, reflector, endpoint };

// One layer version: a torrent. Chunks are ids in the run's chunk space; v2
// shares v1's ids for the bytes it did not change.
struct Torrent {
  std::size_t layer = 0;
  int version = 1;
  std::vector<std::uint32_t> chunks;
  Bits mask;
  std::uint64_t bytes = 0;
  std::unique_ptr<tracker::bt::Swarm> swarm;
};

struct Node {
  Role role = Role::endpoint;
  int branch = -1;  // -1: the origin
  std::string id;
  Bits have, want, inflight, avail;  // avail: held by some neighbour
  std::vector<int> torrents;         // joined, in join order
  std::vector<std::pair<int, int>> pending;  // (assignment, chunks missing) not yet complete
  std::vector<int> current;          // per layer: the torrent it must hold, -1 none
  std::vector<int> neighbours;       // may exchange chunks (both ways); ascending
  int downloads = 0, lan_uploads = 0;
  bool dirty = false;                // may find something new to fetch
  std::uint64_t wan_step_bytes = 0;
  std::unique_ptr<governor::Governor> gov;  // WAN nodes of a governed branch
  double wan_limit = -1;                    // governor's down limit, -1 = none
};

struct Flow {
  int src = 0, dst = 0;
  std::uint32_t chunk = 0;
  double left = 0;  // bytes
  bool wan = false;
  double rate = 0;  // bytes/s this step
};

struct BranchState {
  const BranchDef* def = nullptr;
  std::vector<int> reflectors, endpoints;
  std::vector<std::uint16_t> avail;  // nodes of the branch holding each chunk
  double queue_bytes = 0;
  std::vector<float> queue_samples_ms;
  BranchOutcome out;
};

struct SimState {
  const Scenario* s = nullptr;
  SimOptions o;
  SplitMix64 rng{1};
  std::int64_t now_ms = 0;    // start of the current step
  std::int64_t event_ms = 0;  // time of the event being handled (within the step)
  std::uint32_t chunk_count = 0;
  std::vector<std::uint64_t> chunk_bytes;
  std::vector<Torrent> torrents;
  std::map<std::pair<std::size_t, int>, int> torrent_of;  // (layer, version) -> torrent
  std::vector<Node> nodes;  // nodes[0] is the origin
  std::vector<BranchState> branches;
  std::vector<Flow> flows;
  std::vector<int> dirty;      // nodes to run the picker for, marked with Node::dirty
  std::size_t pending_total = 0;  // sum of Node::pending sizes
  std::vector<int> wan_flows_of;  // per node: its WAN flows this step (0 outside wan_nodes)
  std::vector<int> wan_nodes;  // nodes with a WAN flow this step, ascending
  std::set<std::tuple<std::int64_t, int, int>> announce_due;  // (ms, node, torrent)
  SimResult r;
};

inline void mark_dirty(SimState& st, int i) {
  Node& n = st.nodes[i];
  if (n.dirty || n.role == Role::origin) return;
  n.dirty = true;
  st.dirty.push_back(i);
}

// sim_tracker.cpp
void build_torrents(SimState& st);
void announce(SimState& st, int node, int torrent);
void connect(SimState& st, int a, int b);
// sim_rates.cpp
void allocate_rates(SimState& st);
void tick_governors(SimState& st);
// sim_finish.cpp: the result and the end-of-run invariants.
SimResult finish(SimState& st, bool all_assigned);

}  // namespace bc::netsim::sim
