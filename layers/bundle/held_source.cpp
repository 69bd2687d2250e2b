#include "layers/bundle/held_source.hpp"

#include <filesystem>

#include "layers/bundle/bundle_format.hpp"
#include "layers/bundle/bundle_io.hpp"
#include "layers/model/layer_dir.hpp"

namespace bc {

Result<LayerDirsSource> LayerDirsSource::open(const std::vector<std::string>& dirs, const PublicKey* signer) {
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
    if (!signer) continue;
    auto tm = layer->trust(*signer);
    if (tm.ok()) s.trusted_.push_back({std::move(*tm), std::move(*facts), layer->payload_dir, layer->bins_dir});
  }
  return s;
}

Result<ContentIndex*> LayerDirsSource::assembly_index(const std::string& scratch_dir) {
  if (index_) return index_.get();
  if (trusted_.empty())
    return Status::not_found("no --parent layer verifies against the key, so none can be indexed to assemble from");
  namespace fs = std::filesystem;
  ContentIndexOptions io;
  io.dir = scratch_dir + "/index";
  io.map_size_bytes = 256u << 20;
  BC_ASSIGN_OR_RETURN(std::unique_ptr<ContentIndex> index, ContentIndex::open(io));
  for (size_t k = 0; k < trusted_.size(); ++k) {
    const Parent& p = trusted_[k];
    const std::string view = scratch_dir + "/parent-" + std::to_string(k);
    for (const auto& [path, f] : p.facts.files) {
      const std::string link = view + "/" + path;
      std::error_code ec;
      fs::create_directories(fs::path(link).parent_path(), ec);
      fs::create_symlink(fs::absolute(layer_file_path(p.payload_dir, p.bins_dir, path)), link, ec);
      if (ec) return Status::io_error(link + ": " + ec.message());
    }
    BC_RETURN_IF_ERROR(index->record_layer(p.manifest, view, p.facts));
  }
  index_ = std::move(index);
  return index_.get();
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
