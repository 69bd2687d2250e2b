// Shared by the e2e suites: generated layer trees, what an endpoint should
// hold, and readers of the nodes' status reports.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/e2e/rollout_world.hpp"

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
// Puts a user's own file in every endpoint's root (it must survive applies).
void give_users_files(RolloutWorld& w);
// base@1 from a generated tree, published and assigned to `branch`, users'
// files placed. Returns the tree (the expected content).
std::string publish_base1(RolloutWorld& w, const std::string& branch);

}  // namespace bc::test

// Waits (bounded) for pred; on timeout fails with the nodes' and tracker's logs.
#define WAIT_OR_FAIL(w, pred, ms, what) \
  if (!RolloutWorld::eventually([&] { return (pred); }, (ms))) FAIL(what << "\n" << (w).logs_tail())
