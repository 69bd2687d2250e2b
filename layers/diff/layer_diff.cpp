#include "layers/diff/layer_diff.hpp"

#include <algorithm>
#include <set>

#include "layers/model/pack.hpp"

namespace bc {
namespace {

std::string change_of(const Entry& x, const Entry& y) {
  std::string what;
  auto add = [&](const char* w) { what += what.empty() ? w : std::string(",") + w; };
  if (x.type != y.type) return "type";
  if (x.type == EntryType::file && (x.root != y.root || x.size != y.size)) add("content");
  if (x.type == EntryType::symlink && x.target != y.target) add("target");
  if (x.type != EntryType::symlink && x.mode != y.mode) add("mode");
  return what;
}

DiffCost cost_of(const Entry& e, const TorrentFacts* tb, uint32_t piece_bytes,
                 const std::set<Sha256Digest>& a_roots, const std::set<Sha256Digest>& a_pieces) {
  DiffCost c;
  c.path = e.path;
  c.size = e.size;
  if (e.size == 0) {
    c.reason = "empty";
    return c;
  }
  if (e.packed()) {  // moves (or not) with its bin: costed once per bin in diff_layers
    c.reason = "packed (in bin " + pack_bin_path(e.bin) + ")";
    return c;
  }
  if (a_roots.count(e.root)) {
    c.reason = "held (same root)";
    return c;
  }
  const TorrentFile* tf = nullptr;
  if (tb) {
    auto it = tb->files.find(e.path);
    if (it != tb->files.end() && !it->second.pieces.empty()) tf = &it->second;
  }
  if (!tf || piece_bytes == 0) {
    c.reason = "whole file";
    c.bytes_to_move = e.size;
    return c;
  }
  c.reason = "pieces";
  c.pieces_total = tf->pieces.size();
  for (size_t i = 0; i < tf->pieces.size(); ++i) {
    if (a_pieces.count(tf->pieces[i])) continue;
    uint64_t start = uint64_t(i) * piece_bytes;
    if (start >= e.size) break;
    ++c.pieces_new;
    c.bytes_to_move += std::min<uint64_t>(piece_bytes, e.size - start);
  }
  return c;
}

}  // namespace

LayerDiff diff_layers(const Manifest& a, const TorrentFacts* ta, const Manifest& b,
                      const TorrentFacts* tb) {
  LayerDiff d;
  std::set<Sha256Digest> a_roots, a_pieces;
  for (const Entry& e : a.entries)
    if (e.type == EntryType::file && e.size > 0 && !e.packed()) a_roots.insert(e.root);
  for (const PackBin& bin : a.bins) a_roots.insert(bin.root);
  if (ta)
    for (const auto& [path, f] : ta->files) a_pieces.insert(f.pieces.begin(), f.pieces.end());
  uint32_t piece_bytes = tb && tb->piece_size ? tb->piece_size : b.piece_size;

  for (const Entry& e : a.entries)
    if (!b.find(e.path)) d.removed.push_back(e.path);
  for (const Entry& e : b.entries) {
    if (e.type == EntryType::file) d.b_file_bytes += e.size;
    const Entry* old = a.find(e.path);
    bool costed = false;
    if (!old) {
      d.added.push_back(e.path);
      costed = true;
    } else if (std::string what = change_of(*old, e); !what.empty()) {
      d.changed.push_back({e.path, what});
      costed = what.find("content") != std::string::npos || what == "type";
    }
    if (!costed || e.type != EntryType::file) continue;
    DiffCost c = cost_of(e, tb, piece_bytes, a_roots, a_pieces);
    d.bytes_to_move += c.bytes_to_move;
    d.costs.push_back(std::move(c));
  }
  // A bin moves whole unless a holder of A has it (same root) or holds every
  // member (prepare_payload assembles it): what a changed, added or
  // re-packed small file really costs.
  std::set<Sha256Digest> a_files;
  for (const Entry& e : a.entries)
    if (e.type == EntryType::file && e.size > 0) a_files.insert(e.root);
  const auto members = bin_members(b);
  for (size_t i = 0; i < b.bins.size(); ++i) {
    if (a_roots.count(b.bins[i].root)) continue;
    DiffCost c;
    c.path = pack_bin_path(i);
    c.size = b.bins[i].size;
    const bool assembled = std::all_of(members[i].begin(), members[i].end(),
                                       [&](size_t m) { return a_files.count(b.entries[m].root) > 0; });
    c.bytes_to_move = assembled ? 0 : c.size;
    // Wire bytes: a compressed bin moves its compressed size.
    const bool chunk = !members[i].empty() && b.entries[members[i][0]].chunked();
    c.reason = assembled ? "bin assembled from held files"
               : chunk   ? "chunk of a compressed file"
                         : "bin of packed files";
    d.bytes_to_move += c.bytes_to_move;
    d.costs.push_back(std::move(c));
  }
  return d;
}

}  // namespace bc
