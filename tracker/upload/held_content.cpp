#include "tracker/upload/held_content.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "layers/model/manifest.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "tracker/service/records.hpp"

namespace bc::tracker {

HeldWanted HeldWanted::from(const Manifest& m) {
  HeldWanted w;
  w.piece_bytes = m.piece_size;
  for (const auto& pf : m.payload_files()) {
    if (pf.size == 0) continue;
    w.roots.insert(pf.root);
    if (pf.size > m.piece_size) w.piece_paths.insert(pf.path);
  }
  if (m.parent) w.parent_key = layer_key(*m.parent);
  return w;
}

Status HeldContent::add_layer(const std::string& origin_dir, const std::string& manifest_bytes,
                              const std::string& torrent, uint32_t piece_bytes, size_t max_pieces,
                              const HeldWanted* wanted, bool all_pieces) {
  auto m = Manifest::decode(manifest_bytes);
  if (!m.ok() || torrent.empty()) return Status();  // nothing usable: the upload just sends more
  bool same_pieces = m->piece_size == piece_bytes;
  std::optional<TorrentFacts> facts;
  if (same_pieces) {
    auto f = read_layer_torrent(torrent);
    if (f.ok()) facts = std::move(*f);
  }
  for (const auto& pf : m->payload_files()) {
    if (pf.size == 0) continue;
    std::string path = origin_dir + "/" + pf.path;
    if (!wanted || wanted->roots.count(pf.root)) files_.emplace(pf.root, path);
    if (!facts || pieces_.size() >= max_pieces) continue;
    if (wanted && !all_pieces && !wanted->piece_paths.count(pf.path)) continue;
    auto it = facts->files.find(pf.path);
    if (it == facts->files.end() || it->second.pieces.empty()) continue;
    const auto& pieces = it->second.pieces;
    uint32_t idx = static_cast<uint32_t>(paths_.size());
    paths_.push_back(path);
    for (size_t p = 0; p < pieces.size() && pieces_.size() < max_pieces; ++p) {
      uint64_t off = uint64_t(p) * piece_bytes;
      uint32_t len = static_cast<uint32_t>(std::min<uint64_t>(piece_bytes, pf.size - off));
      pieces_.emplace(pieces[p], HeldPiece{idx, off, len});
    }
  }
  return Status();
}

Result<HeldContent> HeldContent::load(const Store& store, const HeldWanted& wanted, size_t max_pieces) {
  struct Layer {
    std::string key, origin_dir;
  };
  std::vector<Layer> layers;
  BC_RETURN_IF_ERROR(store.read([&](const Txn& t) {
    return t.scan(Table::layers, "", [&](std::string_view k, std::string_view v) {
      auto rec = nlohmann::json::parse(v, nullptr, false);
      if (rec.is_object() && rec.value("origin_dir", "") != "")
        layers.push_back({std::string(k), rec.value("origin_dir", "")});
      return true;
    });
  }));
  // The parent first: its pieces are the likeliest, and the cap keeps them.
  std::stable_partition(layers.begin(), layers.end(), [&](const Layer& l) { return l.key == wanted.parent_key; });
  HeldContent out;
  for (const auto& l : layers) {
    std::optional<std::string> manifest, torrent;
    BC_RETURN_IF_ERROR(store.read([&](const Txn& t) -> Status {
      BC_ASSIGN_OR_RETURN(manifest, t.get(Table::layer_blobs, l.key + "/manifest"));
      BC_ASSIGN_OR_RETURN(torrent, t.get(Table::layer_blobs, l.key + "/torrent"));
      return Status();
    }));
    if (manifest && torrent)
      BC_RETURN_IF_ERROR(out.add_layer(l.origin_dir, *manifest, *torrent, wanted.piece_bytes, max_pieces, &wanted,
                                       l.key == wanted.parent_key));
  }
  return out;
}

const std::string* HeldContent::file(const Sha256Digest& root) const {
  auto it = files_.find(root);
  return it == files_.end() ? nullptr : &it->second;
}

const HeldPiece* HeldContent::piece(const Sha256Digest& hash, uint32_t length) const {
  auto it = pieces_.find(hash);
  return it == pieces_.end() || it->second.length != length ? nullptr : &it->second;
}

}  // namespace bc::tracker
