#include "layers/capture/capture.hpp"

#include "layers/capture/pack_bins.hpp"
#include "layers/model/bin_codec.hpp"
#include "layers/capture/parallel_hasher.hpp"
#include "layers/model/pack.hpp"
#include "layers/capture/walk.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "layers/util/fs.hpp"

namespace bc {

Status CaptureOptions::validate() const {
  if (source_dir.empty()) return Status::invalid_argument("capture: no source directory");
  if (auto p = layer_name_problem(ref.name); !p.empty()) return Status::invalid_argument(p);
  if (ref.version < 1 || ref.version > INT32_MAX)
    return Status::invalid_argument("capture: version must be between 1 and 2147483647");
  if (piece_bytes < kMerkleBlockBytes || (piece_bytes & (piece_bytes - 1)) || piece_bytes > (64u << 20))
    return Status::invalid_argument("capture: piece size must be a power of two in [16 KiB, 64 MiB]");
  if (kind != LayerKind::driver && !match.empty())
    return Status::invalid_argument("capture: only driver layers take a match rule");
  if (compress && (chunk_bytes < kMerkleBlockBytes || (chunk_bytes & (chunk_bytes - 1)) || chunk_bytes > (16u << 20)))
    return Status::invalid_argument("capture: chunk size must be a power of two in [16 KiB, 16 MiB]");
  return Status();
}

Result<CapturedLayer> capture_layer(const CaptureOptions& o) {
  BC_RETURN_IF_ERROR(o.validate());
  BC_ASSIGN_OR_RETURN(WalkedTree tree, walk_tree(o.source_dir));
  for (const Entry& e : tree.entries)
    if (is_reserved_pack_path(e.path))
      return Status::invalid_argument("capture: '" + printable(o.source_dir + "/" + e.path) +
                                      "': the top-level name '" + std::string(kPackDirName) +
                                      "' is reserved for bins of packed files; rename or remove it");
  CapturedLayer out;
  Manifest& m = out.manifest;
  m.name = o.ref.name;
  m.version = o.ref.version;
  m.kind = o.kind;
  m.parent = o.parent;
  m.match = o.match;
  m.piece_size = o.piece_bytes;
  m.created = now_rfc3339(o.created_unix_s);
  m.entries = std::move(tree.entries);

  std::vector<HashJob> jobs;
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    if (e.type == EntryType::file) jobs.push_back({o.source_dir + "/" + e.path, e.size, tree.change_ns[i]});
  }
  ParallelHashOptions ho;
  ho.piece_bytes = o.piece_bytes;
  ho.threads = o.threads;
  ho.progress = o.progress;
  BC_ASSIGN_OR_RETURN(std::vector<FileHashes> hashes, hash_files_parallel(jobs, ho));
  size_t k = 0;
  for (auto& e : m.entries)
    if (e.type == EntryType::file) e.root = hashes[k++].root;
  std::vector<FileHashes> bin_hashes;
  if (o.pack_small_files) {
    if (o.compress) {
      m.schema = kManifestSchema;
      m.chunk_size = o.chunk_bytes;
      m.compressor = compressor_id();
    }
    assign_bins(m, o.pack_against ? &*o.pack_against : nullptr);
    BC_RETURN_IF_ERROR(chunk_compressible_files(m, o.source_dir));
    BC_ASSIGN_OR_RETURN(bin_hashes, hash_bins(m, o.source_dir, o.threads));
  }
  std::vector<FileHashes> payload_hashes;  // parallel to m.payload_files()
  k = 0;
  for (const auto& e : m.entries) {
    if (e.type != EntryType::file) continue;
    if (!e.packed()) payload_hashes.push_back(std::move(hashes[k]));
    ++k;
  }
  for (auto& h : bin_hashes) payload_hashes.push_back(std::move(h));
  if (!jobs.empty()) {
    BC_ASSIGN_OR_RETURN(out.torrent, make_layer_torrent(m, payload_hashes, &m.info_hash));
  }
  BC_RETURN_IF_ERROR(m.validate().with_context("captured manifest"));
  return out;
}

}  // namespace bc
