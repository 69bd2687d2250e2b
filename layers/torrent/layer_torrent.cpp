#include "layers/torrent/layer_torrent.hpp"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/torrent_info.hpp>

#include <cstring>

#include "layers/util/hex.hpp"

namespace bc {

namespace lt = libtorrent;

std::string torrent_top_dir(const LayerRef& ref) { return ref.torrent_name(); }

static lt::sha256_hash to_lt(const Sha256Digest& d) {
  return lt::sha256_hash(reinterpret_cast<const char*>(d.data()));
}

static Sha256Digest from_lt(const lt::sha256_hash& h) {
  Sha256Digest d;
  std::memcpy(d.data(), h.data(), 32);
  return d;
}

// libtorrent's default parse limits (3,000,000 bencode tokens, or 2,000,000
// for the constructor without limits; 2^21 pieces) refuse a layer of about
// 200,000 files, far below kMaxManifestEntries: a torrent spends about 10
// tokens per file and at least one piece per non-empty file. Our limits follow
// from ours: 16 M tokens (128 MiB of libtorrent token memory at worst) serve the
// ~800,000 files a 64 MiB torrent can list; pieces are bounded by 32 bytes of
// piece layer each plus one per single-piece file.
static lt::load_torrent_limits layer_torrent_limits() {
  lt::load_torrent_limits limits;
  limits.max_buffer_size = int(kMaxTorrentBytes);
  limits.max_decode_tokens = int(kMaxTorrentBytes / 4);
  limits.max_pieces = int(kMaxTorrentBytes / 32 + kMaxManifestEntries);
  return limits;
}

Result<std::string> make_layer_torrent(const Manifest& m, const std::vector<FileHashes>& hashes,
                                       std::string* info_hash) {
  const std::string top = torrent_top_dir(m.ref());
  std::map<std::string, const FileHashes*> by_path;
  lt::file_storage fs;
  size_t k = 0;
  for (const PayloadFile& pf : m.payload_files()) {
    if (k >= hashes.size()) return Status::internal("fewer hashes than files");
    by_path[top + "/" + pf.path] = &hashes[k++];
    fs.add_file(top + "/" + pf.path, int64_t(pf.size));
  }
  if (k != hashes.size()) return Status::internal("more hashes than files");
  if (k == 0) return Status::invalid_argument("a layer without regular files has no torrent");
  try {
    lt::create_torrent t(fs, int(m.piece_size), lt::create_torrent::v2_only);
    t.set_priv(true);
    t.set_creator("branchcast");
    const auto& files = t.files();
    for (auto f : files.file_range()) {
      if (files.pad_file_at(f)) continue;
      auto it = by_path.find(files.file_path(f));
      if (it == by_path.end()) return Status::internal("torrent file not in manifest: " + files.file_path(f));
      const FileHashes& h = *it->second;
      if (files.file_size(f) == 0) continue;
      if (h.pieces.empty()) {
        t.set_hash2(f, 0, to_lt(h.root));
      } else {
        for (size_t p = 0; p < h.pieces.size(); ++p)
          t.set_hash2(f, lt::piece_index_t::diff_type(int(p)), to_lt(h.pieces[p]));
      }
    }
    std::string out;
    lt::bencode(std::back_inserter(out), t.generate());
    if (out.size() > kMaxTorrentBytes)
      return Status::invalid_argument(
          "the layer's torrent would be " + std::to_string(out.size()) +
          " bytes, above the 64 MiB limit (32 bytes per piece): use a larger piece size");
    std::unique_ptr<lt::torrent_info> ti;
    try {
      ti = std::make_unique<lt::torrent_info>(lt::span<const char>(out.data(), long(out.size())),
                                              layer_torrent_limits(), lt::from_span);
    } catch (const std::exception& e) {
      return Status::internal(std::string("generated torrent does not parse: ") + e.what());
    }
    *info_hash = to_hex(std::span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(ti->info_hashes().v2.data()), 32));
    return out;
  } catch (const std::exception& e) {
    return Status::internal(std::string("libtorrent create_torrent: ") + e.what());
  }
}

Result<TorrentFacts> read_layer_torrent(std::string_view bytes) {
  if (bytes.size() > kMaxTorrentBytes)
    return Status::invalid_argument("torrent is larger than 64 MiB");
  std::unique_ptr<lt::torrent_info> parsed;
  try {
    parsed = std::make_unique<lt::torrent_info>(
        lt::span<const char>(bytes.data(), long(bytes.size())), layer_torrent_limits(), lt::from_span);
  } catch (const std::exception& e) {
    return Status::corruption(std::string("torrent does not parse: ") + e.what());
  }
  const lt::torrent_info& ti = *parsed;
  if (ti.info_hashes().has_v1() || !ti.info_hashes().has_v2())
    return Status::corruption("torrent is not v2-only");
  TorrentFacts f;
  f.info_hash = to_hex(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(ti.info_hashes().v2.data()), 32));
  f.piece_size = uint32_t(ti.piece_length());
  f.is_private = ti.priv();
  // The info dict's own name: libtorrent reports a single-file torrent's
  // file name as its name instead.
  lt::error_code ec;
  const lt::load_torrent_limits limits = layer_torrent_limits();
  lt::bdecode_node info =
      lt::bdecode(ti.info_section(), ec, nullptr, limits.max_decode_depth, limits.max_decode_tokens);
  if (ec || info.type() != lt::bdecode_node::dict_t)
    return Status::corruption("torrent info dictionary does not parse");
  f.top_dir = std::string(info.dict_find_string_value("name"));
  f.ssl_cert = std::string(ti.ssl_cert());
  f.tls_name = ti.name();
  // Paths as the torrent states them: files() holds libtorrent's renames of
  // names that collide case-insensitively ("d/f" beside "D/f" becomes
  // "d/f.1"); orig_files() keeps the originals, which are the manifest's.
  const auto& fs = ti.orig_files();
  int real_files = 0;
  for (auto i : fs.file_range()) real_files += fs.pad_file_at(i) ? 0 : 1;
  const std::string prefix = f.top_dir + "/";
  for (auto i : fs.file_range()) {
    if (fs.pad_file_at(i)) continue;
    std::string path = fs.file_path(i);
    if (path.compare(0, prefix.size(), prefix) == 0) {
      path = path.substr(prefix.size());
    } else if (real_files == 1 && path.find('/') == std::string::npos) {
      // A layer whose only regular file sits at its top level: libtorrent
      // writes the file tree without the directory and reads it back as a
      // single-file torrent, the file at the top.
      f.single_file = true;
    } else {
      return Status::corruption("torrent file '" + path + "' is outside its top directory");
    }
    TorrentFile tf;
    tf.size = uint64_t(fs.file_size(i));
    tf.root = from_lt(fs.root(i));
    auto pl = ti.piece_layer(i);
    // A file within one piece has no piece layer of its own (its root is the
    // piece hash); libtorrent reports it as a one-hash layer.
    if (tf.size <= f.piece_size) pl = {};
    for (size_t off = 0; off + 32 <= size_t(pl.size()); off += 32) {
      Sha256Digest d;
      std::memcpy(d.data(), pl.data() + off, 32);
      tf.pieces.push_back(d);
    }
    f.files.emplace(path, std::move(tf));
  }
  return f;
}

std::string TorrentFacts::manifest_path(std::string_view torrent_path) const {
  if (single_file) return std::string(torrent_path);
  return std::string(torrent_path.substr(std::min(torrent_path.size(), top_dir.size() + 1)));
}

Status check_torrent_matches(const Manifest& m, const TorrentFacts& t) {
  if (t.info_hash != m.info_hash)
    return Status::corruption("torrent info-hash " + t.info_hash + " is not the manifest's " +
                              m.info_hash);
  if (!t.is_private) return Status::corruption("torrent is not private");
  if (t.piece_size != m.piece_size) return Status::corruption("torrent piece size differs from manifest");
  if (t.top_dir != torrent_top_dir(m.ref()))  // also for a single-file torrent: its info name
    return Status::corruption("torrent top directory '" + t.top_dir + "' is not '" +
                              torrent_top_dir(m.ref()) + "'");
  size_t files = 0;
  for (const PayloadFile& pf : m.payload_files()) {
    ++files;
    auto it = t.files.find(pf.path);
    if (it == t.files.end()) return Status::corruption("torrent lacks file '" + pf.path + "'");
    if (it->second.size != pf.size || it->second.root != pf.root)
      return Status::corruption("torrent's size or merkle root of '" + pf.path +
                                "' differs from the manifest");
  }
  if (files != t.files.size()) return Status::corruption("torrent has files the manifest lacks");
  return Status();
}

}  // namespace bc
