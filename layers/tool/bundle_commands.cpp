#include "layers/tool/bundle_commands.hpp"

#include <cstdio>

#include "layers/bundle/bundle_export.hpp"
#include "layers/bundle/bundle_import.hpp"
#include "layers/tool/commands.hpp"
#include "layers/tool/progress.hpp"

namespace bc::tool {

int cmd_export(const ExportArgs& a) {
  ExportOptions o;
  o.layer_dir = a.layer_dir;
  o.against_dirs = a.against;
  o.out_file = a.out;
  Progress bar("export");
  o.progress = [&](uint64_t d, uint64_t t) { bar.update(d, t); };
  auto r = export_bundle(o);
  if (!r.ok()) return fail(r.status());
  std::printf("wrote %s: %s (%s of the layer's %s carried; %llu files: %llu held by the parents, %llu assembled "
              "from them, %llu whole, %llu in part, %llu pieces)\n",
              a.out.c_str(), human_bytes(r->bundle_bytes).c_str(), human_bytes(r->data_bytes).c_str(),
              human_bytes(r->payload_bytes).c_str(), (unsigned long long)r->files, (unsigned long long)r->files_held,
              (unsigned long long)r->files_assembled, (unsigned long long)r->files_whole, (unsigned long long)r->files_pieces,
              (unsigned long long)r->pieces_carried);
  return 0;
}

int cmd_import(const ImportArgs& a) {
  auto pk = load_public_key(a.pubkey);
  if (!pk.ok()) return fail(pk.status().with_context("--pubkey"));
  auto held = LayerDirsSource::open(a.parents, &*pk);
  if (!held.ok()) return fail(held.status());
  auto b = open_bundle(a.bundle, *pk);
  if (!b.ok()) return fail(b.status());
  ImportOptions o;
  o.out_dir = a.out;
  o.held = &*held;
  o.threads = a.threads;
  o.materialize_tree = true;
  Progress bar("import " + b->meta.layer.to_string());
  o.progress = [&](uint64_t d, uint64_t t) { bar.update(d, t); };
  auto r = rebuild_bundle(*b, o);
  if (!r.ok()) return fail(r.status());
  std::printf("imported %s into %s: %s verified (%s from the bundle, %s from the parents, %s of it reflinked)\n",
              b->meta.layer.to_string().c_str(), a.out.c_str(), human_bytes(r->payload_bytes).c_str(),
              human_bytes(r->bundle_bytes).c_str(), human_bytes(r->held_bytes).c_str(),
              human_bytes(r->reflinked_bytes).c_str());
  return 0;
}

}  // namespace bc::tool
