#include "netsim/emulate/content_survey.hpp"

#include <cstdio>
#include <map>
#include <memory>
#include <vector>

#include "layers/crypto/sha256.hpp"
#include "layers/model/layer_dir.hpp"
#include "layers/torrent/layer_torrent.hpp"

namespace bc::netsim {

namespace {

std::uint64_t first8(const Sha256Digest& d) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | d[static_cast<std::size_t>(i)];
  return v;
}

// SHA-256 of each piece of a raw file (identities only: not the v2 merkle
// piece hash, which a compressed layer's torrent no longer carries for raw bytes).
Status raw_pieces(const std::string& path, std::uint64_t size, std::uint32_t piece_bytes,
                  std::vector<std::uint64_t>* out) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return Status::io_error("opening " + path + " to survey its pieces");
  std::vector<std::uint8_t> buf(piece_bytes);
  for (std::uint64_t off = 0; off < size; off += piece_bytes) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(piece_bytes, size - off));
    if (std::fread(buf.data(), 1, want, f.get()) != want) return Status::io_error("reading " + path);
    out->push_back(first8(sha256({buf.data(), want})));
  }
  return Status();
}

}  // namespace

Result<VersionContent> survey_layer(const std::string& layer_dir, const std::string& source_dir) {
  BC_ASSIGN_OR_RETURN(LayerDir dir, load_layer_dir(layer_dir));
  BC_ASSIGN_OR_RETURN(Manifest m, dir.peek());
  VersionContent v;
  v.layer = m.name, v.version = static_cast<int>(m.version), v.piece_bytes = m.piece_size;
  std::map<std::uint32_t, std::vector<std::uint64_t>> members;  // bin -> member roots
  for (const Entry& e : m.entries) {
    if (e.type != EntryType::file || e.size == 0) continue;
    ContentUnit u{e.path, e.size, first8(e.root), {}, {}};
    if (e.size > m.piece_size)
      BC_RETURN_IF_ERROR(raw_pieces(source_dir + "/" + e.path, e.size, m.piece_size, &u.pieces));
    if (e.packed()) members[e.bin].push_back(u.id);
    v.raw.push_back(std::move(u));
  }
  if (dir.torrent.empty()) return v;  // no regular file: nothing on the wire
  BC_ASSIGN_OR_RETURN(TorrentFacts t, read_layer_torrent(dir.torrent));
  std::map<std::string, std::uint32_t> bin_of;
  for (std::uint32_t i = 0; i < m.bins.size(); ++i) bin_of[pack_bin_path(i)] = i;
  for (const auto& [path, file] : t.files) {
    if (file.size == 0) continue;
    ContentUnit u{path, file.size, first8(file.root), {}, {}};
    for (const Sha256Digest& p : file.pieces) u.pieces.push_back(first8(p));
    if (auto b = bin_of.find(path); b != bin_of.end()) u.members = members[b->second];
    v.wire.push_back(std::move(u));
  }
  return v;
}

}  // namespace bc::netsim
