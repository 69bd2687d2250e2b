#include "ctl/push/push_capture.hpp"

#include <cstdlib>
#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "layers/capture/capture.hpp"
#include "layers/capture/pack_bins.hpp"
#include "layers/util/fs.hpp"

namespace bc::ctl {

namespace fs = std::filesystem;

std::string push_cache_root(const PushRequest& r) {
  if (!r.cache_dir.empty()) return r.cache_dir;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/branchcast/push";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.cache/branchcast/push";
}

namespace {
Result<CaptureOptions> options_for(const PushRequest& r) {
  CaptureOptions o;
  std::error_code ec;
  if (r.dir.empty() || !fs::is_directory(r.dir, ec))
    return Status::invalid_argument("layer directory '" + r.dir + "' is not a directory");
  o.source_dir = fs::absolute(r.dir, ec).lexically_normal().string();
  while (o.source_dir.size() > 1 && o.source_dir.back() == '/') o.source_dir.pop_back();
  if (std::string why = layer_name_problem(r.name); !why.empty())
    return Status::invalid_argument("--name '" + r.name + "': " + why);
  auto ref = LayerRef::parse(r.name + "@" + r.version);
  if (!ref.ok()) return ref.status().with_context("--version '" + r.version + "'");
  o.ref = *ref;
  auto kind = parse_layer_kind(r.kind);
  if (!kind) return Status::invalid_argument("--kind '" + r.kind + "' must be base, app or driver");
  o.kind = *kind;
  if (!r.parent.empty()) {
    auto p = LayerRef::parse(r.parent);
    if (!p.ok()) return p.status().with_context("--parent");
    o.parent = *p;
  }
  return o;
}
}  // namespace

Result<PushCapture> capture_for_push(const PushRequest& r, const std::string& parent_manifest,
                                     PushProgress* progress) {
  BC_ASSIGN_OR_RETURN(CaptureOptions o, options_for(r));
  const std::string cache = push_cache_root(r) + "/" + o.ref.to_string();
  std::error_code ec;
  fs::create_directories(cache, ec);
  if (ec) return Status::io_error(cache + ": " + ec.message());
  // The earlier capture's time stamp, when it was of this directory.
  o.created_unix_s = std::time(nullptr);
  if (auto prev = read_small_file(cache + "/push.json", 1 << 16); prev.ok()) {
    auto j = nlohmann::json::parse(*prev, nullptr, false);
    if (j.is_object() && j.value("dir", "") == o.source_dir) o.created_unix_s = j.value("created", o.created_unix_s);
  }
  if (!parent_manifest.empty()) {
    auto pm = Manifest::decode(parent_manifest);
    if (pm.ok()) o.pack_against = std::move(*pm);
  }
  if (progress) {
    progress->phase("capturing");
    o.progress = [progress](uint64_t d, uint64_t t) { progress->bytes(d, t); };
  }
  BC_ASSIGN_OR_RETURN(CapturedLayer layer, capture_layer(o));
  PushCapture out{std::move(layer.manifest), "", std::move(layer.torrent), cache + "/layer", o.source_dir};
  out.manifest_bytes = out.manifest.encode();
  fs::remove_all(out.layer_dir, ec);
  BC_RETURN_IF_ERROR(write_built_layer(out.layer_dir, out.manifest, out.manifest_bytes, out.torrent, o.source_dir)
                         .with_context("push cache"));
  nlohmann::json stamp = {{"dir", o.source_dir}, {"created", o.created_unix_s}};
  BC_RETURN_IF_ERROR(write_file_atomic(cache + "/push.json", stamp.dump(), 0600));
  return out;
}

}  // namespace bc::ctl
