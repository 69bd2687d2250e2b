// A netsim scenario: the network (datacenter, branches, WAN links, nodes),
// the content (layers and their versions), what is assigned when, cross
// traffic on the WAN links and the faults to inject. Read by
// `bc-netsim emulate` (real processes in namespaces). Pure data; parse_scenario() builds one from TOML and
// validate() checks every bound. Times are ms since the run started.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "layers/governor/wan_policy.hpp"
#include "layers/util/status.hpp"

namespace bc::netsim {

// Named bounds of a scenario document.
inline constexpr std::size_t kMaxScenarioTomlBytes = 1 << 20;
inline constexpr std::size_t kMaxScenarioBranches = 64;
inline constexpr std::size_t kMaxNodesPerRole = 64;       // reflectors or endpoints of one branch
inline constexpr std::size_t kMaxScenarioLayers = 64;
inline constexpr std::size_t kMaxFileMixEntries = 16;
inline constexpr std::size_t kMaxAssignments = 256;
inline constexpr std::size_t kMaxFaults = 256;
inline constexpr std::size_t kMaxCrossFlowsPerBranch = 16;
inline constexpr std::uint64_t kMaxLayerBytes = 64ull << 30;  // 64 GiB
inline constexpr std::int64_t kMaxScenarioDurationMs = 24ll * 3600 * 1000;

struct DatacenterDef {
  // Rate of the tracker/origin's uplink (its LAN port), bytes/s. Default 1 Gbit/s.
  std::uint64_t uplink_bytes_per_s = 125'000'000;
};

struct WanDef {
  std::uint64_t down_bytes_per_s = 1'250'000;  // datacenter -> branch; default 10 Mbit/s
  std::uint64_t up_bytes_per_s = 1'250'000;    // branch -> datacenter; default 10 Mbit/s
  double rtt_ms = 40;                          // base RTT, split evenly over the two directions; > 0
  // Queue of each direction: bytes when queue_bytes > 0, else queue_ms at the direction's rate.
  std::uint64_t queue_bytes = 0;
  double queue_ms = 50;
  double loss = 0;  // random loss probability of each direction, [0, 0.5]
};

enum class CrossKind { constant, interactive };
enum class Direction { down, up };

// Traffic that is not branchcast's, sharing a branch's WAN link.
struct CrossFlowDef {
  CrossKind kind = CrossKind::constant;
  Direction direction = Direction::down;  // constant: the direction the bytes flow
  std::int64_t start_ms = 0;
  std::int64_t stop_ms = -1;               // -1: until the end of the run
  std::uint64_t rate_bytes_per_s = 0;      // constant: > 0
  // interactive: a request up, a response down, every interval; its latency is measured.
  std::uint32_t request_bytes = 0;
  std::uint32_t response_bytes = 0;
  std::int64_t interval_ms = 0;
  // interactive: the TCP congestion control of both ends (TCP_CONGESTION), so
  // a run does not depend on the host's default (bbr here, which paces a
  // response at its estimate of its share and so lengthens it under load);
  // empty = the namespace's default. TOML `congestion_control`.
  std::string congestion_control;
};

// How a branch's nodes treat the WAN, for side-by-side comparisons in one run:
//   on:      the WAN governor on, uTP dialed (the default);
//   ledbat:  no governor (static, unlimited WAN class), uTP dialed: uTP's own
//            LEDBAT is the only yielding;
//   off_tcp: no governor and no uTP (TCP only, dialed and accepted): "no
//            governor" at all. TOML: "on" | "ledbat" | "off-tcp".
enum class GovernorMode { on, ledbat, off_tcp };

// A window added to the branch's policy that starts at the first wall-clock
// minute boundary at least after_ms into the run (policy windows have minute
// granularity) and lasts `minutes`; the orchestrator writes it and records
// when the boundary falls on the run clock, so the report can measure how
// soon the link rate follows.
struct CapWindowDef {
  std::int64_t after_ms = 0;              // earliest run time of the boundary
  std::uint64_t down_bytes_per_s = 0;     // the window's download cap, > 0
  int minutes = 1;                        // window length, [1, 60]
};

struct BranchDef {
  std::string name;  // [a-z0-9], 1..12 bytes, unique, not "dc"
  WanDef wan;
  std::size_t reflectors = 0;
  std::size_t endpoints = 0;
  std::uint64_t lan_bytes_per_s = 125'000'000;  // every node's LAN port; default 1 Gbit/s
  std::uint64_t reflector_disk_bytes = 0;       // cache size; 0 = unlimited
  std::uint64_t endpoint_disk_bytes = 0;        // 0 = unlimited
  std::vector<CrossFlowDef> cross_traffic;
  // The governor's policy as JSON (WanPolicy::decode); empty = none.
  std::string wan_policy_json;
  std::optional<governor::WanPolicy> wan_policy;  // decoded by validate()/parse
  GovernorMode governor = GovernorMode::on;
  std::optional<CapWindowDef> cap_window;

  // Node names: "<branch>-r<i>" and "<branch>-e<i>", 1-based.
  std::string reflector_name(std::size_t i) const;
  std::string endpoint_name(std::size_t i) const;
};

struct FileMixEntry {
  std::uint64_t file_bytes = 0;  // size of each file of this class, > 0
  double share = 0;              // share of the layer's bytes, (0, 1]; shares sum to 1
};

// Where a layer's bytes come from. random: keyed pseudo-random files of the
// file mix (incompressible: the worst case); realistic: a real Debian root
// (scripts/realistic-roots.sh; netsim/realistic/realistic_tree.hpp).
enum class LayerContent { random, realistic };

struct LayerDef {
  std::string name;  // [a-z0-9-], 1..32 bytes, unique
  // random only: size and file mix.
  std::uint64_t size_bytes = 0;
  std::vector<FileMixEntry> file_mix;  // empty = one file class of 1 MiB
  // random only: version 2 changes this share of the bytes of version 1;
  // nullopt = no version 2.
  std::optional<double> v2_change_ratio;
  LayerContent content = LayerContent::random;  // TOML content = "random" | "realistic"
  // realistic only: the directory of the root the layer holds ("" = the
  // whole root; "usr/share"); relative, no "." or ".." parts.
  std::string subtree;
  // realistic only (TOML v2 = "upgrade"): version 2 is the same subtree of
  // the upgraded root (roots/v2).
  bool v2_upgrade = false;
  // realistic only: the share of the root's files the layer keeps, chosen by
  // path hash (1 = all). Not a TOML key: --scale sets it.
  double subset_fraction = 1.0;

  bool has_v2() const { return v2_change_ratio.has_value() || v2_upgrade; }
};

// At at_ms, every endpoint of the listed branches is told to hold layer@version.
struct AssignmentDef {
  std::int64_t at_ms = 0;
  std::string layer;
  int version = 1;                    // 1 or 2
  std::vector<std::string> branches;  // empty = every branch
};

enum class FaultKind { kill_reflector, stop_tracker, cut_wan };

struct FaultDef {
  FaultKind kind = FaultKind::kill_reflector;
  std::int64_t at_ms = 0;
  // stop_tracker / cut_wan: when it ends (> at_ms). kill_reflector: restart
  // time, -1 = never restarted.
  std::int64_t until_ms = -1;
  std::string node;    // kill_reflector: a reflector's name
  std::string branch;  // cut_wan: a branch name
};

struct Scenario {
  std::string name;
  std::uint64_t seed = 1;
  std::int64_t duration_ms = 600'000;
  DatacenterDef datacenter;
  std::vector<BranchDef> branches;
  std::vector<LayerDef> layers;
  std::vector<AssignmentDef> assignments;
  std::vector<FaultDef> faults;

  // invalid_argument naming the field path and the reason
  // ("branches[2].wan.rtt_ms: must be > 0"). Also decodes every wan_policy_json.
  Status validate();
  const BranchDef* branch(const std::string& name) const;
  const LayerDef* layer(const std::string& name) const;
};

const char* to_string(CrossKind k);
const char* to_string(Direction d);
const char* to_string(FaultKind k);
const char* to_string(GovernorMode m);  // "on", "ledbat", "off-tcp"
const char* to_string(LayerContent c);   // "random", "realistic"

}  // namespace bc::netsim
