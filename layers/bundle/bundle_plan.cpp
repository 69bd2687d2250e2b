#include "layers/bundle/bundle_plan.hpp"

#include <set>

namespace bc {

std::vector<BundleEntry> plan_bundle(const TorrentFacts& layer, const std::vector<const TorrentFacts*>& parents,
                                     const std::set<std::string>& assembled) {
  std::set<Sha256Digest> roots, pieces;
  for (const TorrentFacts* p : parents) {
    for (const auto& [path, f] : p->files) {
      if (f.size > 0) roots.insert(f.root);
      // A piece hash names the same bytes only at the same piece size.
      if (p->piece_size == layer.piece_size) pieces.insert(f.pieces.begin(), f.pieces.end());
    }
  }
  std::vector<BundleEntry> table;
  table.reserve(layer.files.size());
  for (const auto& [path, f] : layer.files) {
    BundleEntry e;
    e.path = path;
    e.size = f.size;
    if (f.size > 0 && roots.count(f.root)) {
      e.kind = BundleKind::held;
    } else if (f.size > 0 && assembled.count(path)) {
      e.kind = BundleKind::assembled;
    } else if (f.size > layer.piece_size && !f.pieces.empty() && !pieces.empty()) {
      for (uint32_t i = 0; i < f.pieces.size(); ++i)
        if (!pieces.count(f.pieces[i])) e.pieces.push_back(i);
      e.kind = e.pieces.size() < f.pieces.size() ? BundleKind::pieces : BundleKind::whole;
      if (e.kind == BundleKind::whole) e.pieces.clear();
    }
    if (e.kind == BundleKind::whole) e.data_bytes = f.size;
    for (uint32_t i : e.pieces) e.data_bytes += piece_length(f.size, layer.piece_size, i);
    table.push_back(std::move(e));
  }
  return table;
}

uint64_t bundle_data_bytes(const std::vector<BundleEntry>& table) {
  uint64_t sum = 0;
  for (const auto& e : table) sum += e.data_bytes;
  return sum;
}

}  // namespace bc
