// Shared by the e2e suites: generated layer trees, what an endpoint should
// hold, and readers of the nodes' status reports.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/e2e/rollout_world.hpp"
#include "tests/support/poll.hpp"

namespace bc::test {

inline constexpr uint64_t kPiece = 64 * 1024;       // bc-layer's default piece size
inline constexpr int kRolloutTimeoutMs = 240'000;    // one rollout, bounded

// A base image tree: image-like files, small files, an executable, a
// symlink. Returns its file bytes.
uint64_t make_base_tree(const std::string& dir);
// An app layer tree (overrides etc/motd). Returns its file bytes.
uint64_t make_app_tree(const std::string& dir);
// base v2: ~5% of the bytes differ (block-aligned rewrites inside the images,
// two small files replaced, one added, motd changed).
void make_base_v2(const std::string& v1, const std::string& v2);
// What the BitTorrent wire carries for the trees (each file's last 16 KiB
// block travels whole): what the origin's own upload counter counts.
uint64_t wire_bytes(const std::vector<std::string>& trees);
// The bytes a built layer's torrent carries (its payload files: unpacked
// files and bins, compressed ones at their wire size), without and with
// block padding: what the 1.02x / 1.1x checks count against (issue #16).
uint64_t payload_bytes(const std::vector<std::string>& layer_dirs);
uint64_t padded_payload_bytes(const std::vector<std::string>& layer_dirs);
// The tree an endpoint should hold: the layers in stack order (later wins).
std::map<std::string, std::string> expected_tree(const std::vector<std::string>& trees);
// Fails the test unless n's root holds `expected` and its user's file.
void check_tree(const Node& n, const std::map<std::string, std::string>& expected);
// Bytes by source ("origin", "reflector", "peer") in a status report; all of them.
uint64_t source_bytes(const nlohmann::json& report, const char* source);
uint64_t all_bytes(const nlohmann::json& report);
// True once the tracker holds n's report of having applied `stack`.
bool reported_applied(RolloutWorld& w, const Node& n, const std::vector<std::string>& stack);
// Fraction of n's first layer verified, from its latest report (1 when done).
double reported_progress(RolloutWorld& w, const Node& n);
// What a hash check of n's partial download of `ref` finds verified on disk
// now: the product's own check (a SwarmNode adding the layer over a copy of
// n's payload, as n does after an unclean stop), read from its LayerChecked
// event. Call it while n is stopped.
struct DiskCheck {
  uint64_t verified_bytes = 0;
  uint64_t total_bytes = 0;
};
DiskCheck check_on_disk(RolloutWorld& w, const Node& n, const std::string& ref);
// The peers n banned for sending bad data (its swarm's banned-peers file,
// which the node keeps so that a restart does not talk to them again).
std::vector<std::string> banned_peers(const Node& n);
// Puts a user's own file in every endpoint's root (it must survive applies).
void give_users_files(RolloutWorld& w);
// base@1 from a generated tree, published and assigned to `branch`, users'
// files placed. Returns the tree (the expected content).
std::string publish_base1(RolloutWorld& w, const std::string& branch);

}  // namespace bc::test

// Waits (bounded: asks every 200 ms, each question runs processes or HTTP
// calls) for pred; on timeout fails with the nodes' and tracker's logs.
#define WAIT_OR_FAIL(w, pred, ms, what) \
  if (!::bc::test::eventually([&] { return (pred); }, (ms), 200)) FAIL(what << "\n" << (w).logs_tail())
