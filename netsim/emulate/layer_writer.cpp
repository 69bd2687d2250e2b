#include "netsim/emulate/layer_writer.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "layers/capture/capture.hpp"
#include "layers/capture/pack_bins.hpp"
#include "layers/model/layer_dir.hpp"

namespace bc::netsim {

namespace fs = std::filesystem;

namespace {

Status write_one(const PlannedFile& f, const std::string& path, std::vector<char>& buf) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status::io_error("creating the directory of " + path + ": " + ec.message());
  std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!out) return Status::io_error("opening " + path + " for writing");
  std::size_t next_rewrite = 0;
  for (std::uint64_t b = 0, off = 0; off < f.size_bytes; ++b, off += kPlanBlockBytes) {
    std::size_t len = static_cast<std::size_t>(std::min(kPlanBlockBytes, f.size_bytes - off));
    bool rewritten = next_rewrite < f.rewritten_blocks.size() && f.rewritten_blocks[next_rewrite] == b;
    if (rewritten) ++next_rewrite;
    fill_block(rewritten ? f.rewrite_key : f.content_key, b, std::span<char>(buf.data(), len));
    if (std::fwrite(buf.data(), 1, len, out.get()) != len) return Status::io_error("writing " + path);
  }
  if (std::fflush(out.get()) != 0) return Status::io_error("writing " + path);
  return Status();
}

}  // namespace

Result<BuiltLayer> write_layer(const LayerPlan& plan, LayerKind kind, const std::string& work_dir) {
  const std::string src = fs::absolute(work_dir + "/src-" + plan.name + "-" + std::to_string(plan.version)).string();
  std::vector<char> buf(kPlanBlockBytes);
  for (const PlannedFile& f : plan.files) BC_RETURN_IF_ERROR(write_one(f, src + "/" + f.path, buf));
  BC_ASSIGN_OR_RETURN(BuiltLayer built, build_layer(src, LayerRef{plan.name, plan.version}, kind, work_dir));
  built.total_bytes = plan.total_bytes;
  return built;
}

Result<BuiltLayer> build_layer(const std::string& src, const LayerRef& ref, LayerKind kind, const std::string& work_dir) {
  const std::string out = fs::absolute(work_dir + "/layer-" + ref.name + "-" + std::to_string(ref.version)).string();
  CaptureOptions o;
  o.source_dir = src;
  o.ref = ref;
  o.kind = kind;
  if (ref.version > 1) {
    o.parent = LayerRef{ref.name, ref.version - 1};
    // Pack against the previous version when it was built here, as an admin
    // would (bc-layer build --pack-against): changed small files get bins of
    // their own.
    auto prev = load_layer_dir(work_dir + "/layer-" + ref.name + "-" + std::to_string(ref.version - 1));
    if (prev.ok())
      if (auto pm = prev->peek(); pm.ok()) o.pack_against = std::move(*pm);
  }
  o.threads = 2;
  o.created_unix_s = 1'800'000'000;  // fixed, so a seed rebuilds the same manifest
  BC_ASSIGN_OR_RETURN(CapturedLayer captured, capture_layer(o));
  BC_RETURN_IF_ERROR(write_built_layer(out, captured.manifest, captured.manifest.encode(), captured.torrent, src));
  return BuiltLayer{o.ref.to_string(), out, src, captured.manifest.total_file_bytes()};
}

Result<BuiltLayer> write_realistic_layer(const LayerDef& l, int version, const RealisticRoots& roots, LayerKind kind,
                                         const std::string& work_dir, SubsetStats* stats) {
  if (l.content != LayerContent::realistic || (version == 2 && !l.v2_upgrade) || version < 1 || version > 2)
    return Status::invalid_argument("layer " + l.name + ": no realistic version " + std::to_string(version));
  const std::string src = fs::absolute(work_dir + "/src-" + l.name + "-" + std::to_string(version)).string();
  SubsetOptions so;
  so.root = version == 1 ? roots.v1 : roots.v2;
  so.subtree = l.subtree;
  so.fraction = l.subset_fraction;
  BC_ASSIGN_OR_RETURN(*stats, copy_subset(so, src));
  if (stats->files == 0)
    return Status::invalid_argument("layer " + l.name + "@" + std::to_string(version) + ": the subset of " + so.root +
                                    "/" + l.subtree + " at fraction " + std::to_string(l.subset_fraction) +
                                    " holds no file; use a larger --scale");
  return build_layer(src, LayerRef{l.name, version}, kind, work_dir);
}

}  // namespace bc::netsim
