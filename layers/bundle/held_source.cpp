#include "layers/bundle/held_source.hpp"

#include "layers/bundle/bundle_format.hpp"
#include "layers/bundle/bundle_io.hpp"
#include "layers/model/layer_dir.hpp"

namespace bc {

Result<LayerDirsSource> LayerDirsSource::open(const std::vector<std::string>& dirs) {
  LayerDirsSource s;
  for (const std::string& dir : dirs) {
    auto layer = load_layer_dir(dir);
    if (!layer.ok()) return Status::invalid_argument("--parent " + dir + ": " + layer.status().message());
    auto m = layer->peek();
    if (!m.ok()) return Status::invalid_argument("--parent " + dir + ": " + m.status().message());
    s.layers_.push_back(m->ref());
    if (layer->torrent.empty()) continue;
    auto facts = read_layer_torrent(layer->torrent);
    if (!facts.ok()) return Status::invalid_argument("--parent " + dir + ": " + facts.status().message());
    for (const auto& [path, f] : facts->files) {
      const std::string abs = layer_file_path(layer->payload_dir, layer->bins_dir, path);
      if (f.size > 0) s.files_.try_emplace(f.root, HeldLocation{abs, 0, f.size});
      for (uint32_t i = 0; i < f.pieces.size(); ++i) {
        HeldLocation at{abs, uint64_t(i) * facts->piece_size, piece_length(f.size, facts->piece_size, i)};
        s.pieces_.try_emplace({facts->piece_size, f.pieces[i]}, at);
      }
    }
  }
  return s;
}

Result<std::optional<HeldLocation>> LayerDirsSource::find_file(const Sha256Digest& root) {
  auto it = files_.find(root);
  if (it == files_.end()) return std::optional<HeldLocation>();
  return std::optional<HeldLocation>(it->second);
}

Result<std::optional<HeldLocation>> LayerDirsSource::find_piece(const Sha256Digest& hash, uint32_t piece_bytes) {
  auto it = pieces_.find({piece_bytes, hash});
  if (it == pieces_.end()) return std::optional<HeldLocation>();
  return std::optional<HeldLocation>(it->second);
}

}  // namespace bc
