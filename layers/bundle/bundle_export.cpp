#include "layers/bundle/bundle_export.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string_view>

#include "layers/bundle/bundle_io.hpp"
#include "layers/bundle/bundle_plan.hpp"
#include "layers/diff/layer_diff.hpp"
#include "layers/model/layer_dir.hpp"

namespace bc {

namespace {

// diff_layers' reason for a bin a holder of the parent builds from members it
// holds elsewhere (layers/diff/layer_diff.cpp); tests/layers/bundle pins that
// the exporter still sees it. Should it change, such bins travel whole: safe.
constexpr std::string_view kDiffReasonAssembled = "bin assembled from held files";

Status write_header(BundleWriter& w, const LayerDir& layer, const TorrentFacts& facts,
                    const std::vector<LayerRef>& against, const std::vector<BundleEntry>& table) {
  auto m = layer.peek();
  if (!m.ok()) return m.status().with_context(layer.dir);
  BundleMeta meta{m->ref(), facts.info_hash, against};
  std::string head(kBundleMagic);
  put_u32(head, kBundleFormatVersion);
  put_u32(head, 0);
  put_bytes(head, encode_bundle_meta(meta));
  put_bytes(head, layer.manifest_bytes);
  head.append(reinterpret_cast<const char*>(layer.signature->data()), layer.signature->size());
  put_bytes(head, layer.torrent);
  put_u64(head, table.size());
  BC_RETURN_IF_ERROR(w.write(head));
  for (const BundleEntry& e : table) BC_RETURN_IF_ERROR(w.write(encode_bundle_entry(e)));
  return Status();
}

Status write_data(BundleWriter& w, const LayerDir& layer, const TorrentFacts& facts,
                  const std::vector<BundleEntry>& table, const ExportOptions& o, uint64_t total) {
  uint64_t done = 0;
  for (const BundleEntry& e : table) {
    if (e.data_bytes == 0) continue;
    const std::string src = layer_file_path(layer.payload_dir, layer.bins_dir, e.path);
    BC_ASSIGN_OR_RETURN(ReadFd in, ReadFd::open_sized(src, e.size));
    if (e.kind == BundleKind::whole) {
      BC_RETURN_IF_ERROR(w.copy_from(in, 0, e.size));
    } else {
      for (uint32_t p : e.pieces)
        BC_RETURN_IF_ERROR(w.copy_from(in, uint64_t(p) * facts.piece_size, piece_length(e.size, facts.piece_size, p)));
    }
    done += e.data_bytes;
    if (o.progress) o.progress(done, total);
  }
  return Status();
}

}  // namespace

Result<ExportReport> export_bundle(const ExportOptions& o) {
  if (o.layer_dir.empty() || o.out_file.empty())
    return Status::invalid_argument("export: a layer directory and an output file are required");
  BC_ASSIGN_OR_RETURN(LayerDir layer, load_layer_dir(o.layer_dir));
  if (!layer.signature)
    return Status::invalid_argument(o.layer_dir + ": the layer is not signed (bc-layer sign it first): "
                                    "an importer trusts nothing but the tracker's signature");
  if (layer.torrent.empty()) return Status::invalid_argument(o.layer_dir + ": the layer has no torrent (no files)");
  BC_ASSIGN_OR_RETURN(TorrentFacts facts, read_layer_torrent(layer.torrent));
  auto manifest = layer.peek();
  if (!manifest.ok()) return manifest.status().with_context(o.layer_dir);
  std::vector<TorrentFacts> parent_facts;
  std::vector<LayerRef> against;
  std::set<std::string> assembled;
  for (const std::string& dir : o.against_dirs) {
    BC_ASSIGN_OR_RETURN(LayerDir p, load_layer_dir(dir));
    auto pm = p.peek();
    if (!pm.ok()) return pm.status().with_context(dir);
    against.push_back(pm->ref());
    if (p.torrent.empty()) continue;  // holds no file
    auto pf = read_layer_torrent(p.torrent);
    if (!pf.ok()) return pf.status().with_context(dir);
    // What a holder of this parent builds without fetching it, by the same
    // rule the network path uses (bc-layer diff, prepare_payload).
    for (const DiffCost& c : diff_layers(*pm, &*pf, *manifest, &facts).costs)
      if (c.reason == kDiffReasonAssembled) assembled.insert(c.path);
    parent_facts.push_back(std::move(*pf));
  }
  if (against.size() > kMaxBundleAgainst)
    return Status::invalid_argument("export: at most " + std::to_string(kMaxBundleAgainst) + " --against layers");
  std::vector<const TorrentFacts*> parents;
  for (const auto& p : parent_facts) parents.push_back(&p);
  const std::vector<BundleEntry> table = plan_bundle(facts, parents, assembled);

  ExportReport r;
  for (const BundleEntry& e : table) {
    ++r.files;
    r.payload_bytes += e.size;
    r.files_held += e.kind == BundleKind::held;
    r.files_whole += e.kind == BundleKind::whole;
    r.files_pieces += e.kind == BundleKind::pieces;
    r.files_assembled += e.kind == BundleKind::assembled;
    r.pieces_carried += e.pieces.size();
  }
  r.data_bytes = bundle_data_bytes(table);

  BC_ASSIGN_OR_RETURN(BundleWriter w, BundleWriter::create(o.out_file));
  Status s = write_header(w, layer, facts, against, table);
  if (s.ok()) s = write_data(w, layer, facts, table, o, r.data_bytes);
  if (s.ok()) s = w.finish();
  if (!s.ok()) {
    w.abandon();
    return s.with_context("export " + o.layer_dir);
  }
  r.bundle_bytes = w.bytes_written();
  if (o.progress && r.data_bytes == 0) o.progress(0, 0);
  return r;
}

}  // namespace bc
