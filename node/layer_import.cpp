#include "node/layer_import.hpp"

#include <filesystem>

#include "layers/util/human_bytes.hpp"

namespace bc::node {

Result<NodeImport> import_into_node(const std::string& bundle_path, ContentIndex& index,
                                    const NodeImportOptions& o) {
  BC_ASSIGN_OR_RETURN(OpenedBundle b, open_bundle(bundle_path, o.tracker_key));
  const LayerRef ref = b.manifest().manifest().ref();
  IndexSource held(index);
  ImportOptions io;
  io.out_dir = o.layer_dir(ref, b.facts.info_hash);
  io.held = &held;
  io.progress = o.progress;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(io.out_dir).parent_path(), ec);
  if (ec) return Status::io_error(io.out_dir + ": create parent: " + ec.message());
  BC_ASSIGN_OR_RETURN(ImportReport report, rebuild_bundle(b, io));
  // Read back as a restart would: the stored files verify as fetched ones do.
  LayerFetchOptions fo;
  fo.tracker_key = o.tracker_key;
  fo.want_info_hash = b.facts.info_hash;
  auto loaded = load_layer(ref, io.out_dir, fo);
  Status s = loaded.ok() ? index.record_layer(loaded->manifest, loaded->payload_dir(), loaded->facts) : loaded.status();
  if (!s.ok()) {
    std::filesystem::remove_all(io.out_dir, ec);
    return s.with_context("import " + ref.to_string() + ": recording it failed, the layer was removed again");
  }
  return NodeImport{std::move(*loaded), report};
}

std::string import_summary(const NodeImport& i) {
  const ImportReport& r = i.report;
  return "imported " + i.held.manifest.manifest().ref().to_string() + " into " + i.held.dir + ": " +
         human_bytes(r.payload_bytes) + " verified and recorded (" + human_bytes(r.bundle_bytes) +
         " from the bundle, " + human_bytes(r.held_bytes) + " from layers held here, " +
         human_bytes(r.reflinked_bytes) + " of it reflinked); it is seeded once the desired state names it";
}

}  // namespace bc::node
