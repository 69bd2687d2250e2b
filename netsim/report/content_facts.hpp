// What a run's layers hold, so the report can count the bytes a branch must
// fetch from the layers themselves rather than from the scenario's numbers
// (realistic content has no change ratio, and a compressed layer's torrent
// is smaller than its files). RUN_DIR/content.json, written by emulate
// (emulate/content_survey.hpp). Pure.
//
// Two views of each layer version:
//   raw   the manifest's regular files: their sizes and, for files larger
//         than one piece, a hash per piece of their raw bytes;
//   wire  the torrent's files (unpacked files, bins of packed files, or
//         whatever units a compressed format makes): sizes, merkle roots,
//         piece-layer hashes, and for a bin the roots of its members.
// Identities are the first 8 bytes of a SHA-256 (a merkle root or a piece
// hash): enough to tell content apart, 4x smaller to store.
//
// New content of an assignment to a branch, against what the branch's
// earlier assignments brought (any layer, any version):
//   raw   a file whose root nothing held holds: its pieces no held file has
//         (a file of at most one piece: its size);
//   wire  a torrent file whose root is not held: 0 when it is a bin whose
//         members are all held (a node assembles it, layers/index), else its
//         pieces whose hash no held torrent file has, each rounded up to
//         whole 16 KiB blocks (libtorrent 2.0.8 sends a file's last block
//         whole). That is what prepare_payload leaves to the network.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/util/status.hpp"
#include "netsim/scenario/scenario.hpp"

namespace bc::netsim {

inline constexpr char kContentFactsFile[] = "content.json";  // in the run directory
inline constexpr std::uint64_t kWireBlockBytes = 16 * 1024;
inline constexpr std::size_t kMaxContentUnits = 4'000'000;  // per view of a version
inline constexpr std::size_t kMaxUnitPieces = 1u << 22;      // 256 GiB at 64 KiB pieces

struct ContentUnit {
  std::string path;
  std::uint64_t size = 0;
  std::uint64_t id = 0;                 // content identity (root)
  std::vector<std::uint64_t> pieces;    // per piece; empty when size <= piece size
  std::vector<std::uint64_t> members;   // wire bins: the members' roots
};

struct VersionContent {
  std::string layer;
  int version = 1;
  std::uint32_t piece_bytes = 64 * 1024;
  std::vector<ContentUnit> raw, wire;

  std::uint64_t raw_bytes() const;
  std::uint64_t wire_bytes() const;  // block-rounded
};

struct ContentFacts {
  std::vector<VersionContent> versions;
  const VersionContent* find(const std::string& layer, int version) const;

  nlohmann::json to_json() const;
  // invalid_argument naming the field (versions[1].wire[3].pieces) when bad.
  static Result<ContentFacts> from_json(const nlohmann::json& j);
};

struct NewContent {
  std::uint64_t raw_bytes = 0;
  std::uint64_t wire_bytes = 0;
  bool known = true;  // false when facts lack the assignment's layer version
};

// Parallel to s.assignments: what each brings new to `branch` (zero for an
// assignment that does not target it or repeats one it got).
std::vector<NewContent> assignment_new_content(const Scenario& s, const ContentFacts& facts,
                                               const std::string& branch);

// Rounded up to whole wire blocks.
inline std::uint64_t wire_rounded(std::uint64_t bytes) {
  return (bytes + kWireBlockBytes - 1) / kWireBlockBytes * kWireBlockBytes;
}

}  // namespace bc::netsim
