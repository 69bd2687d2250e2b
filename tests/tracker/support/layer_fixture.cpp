#include "tests/tracker/support/layer_fixture.hpp"

#include <stdexcept>

#include "layers/capture/capture.hpp"
#include "layers/capture/pack_bins.hpp"
#include "layers/model/layer_dir.hpp"
#include "tests/support/tmp_dir.hpp"

namespace bc::test {

std::string make_layer_dir(const std::string& root, const std::string& ref,
                           const std::map<std::string, std::string>& files, LayerKind kind,
                           const std::map<std::string, std::string>& match) {
  auto r = LayerRef::parse(ref);
  if (!r.ok()) throw std::runtime_error(r.status().to_string());
  std::string tag = r->name + "-" + std::to_string(r->version);
  std::string src = root + "/src-" + tag, out = root + "/layer-" + tag;
  for (const auto& [path, content] : files) write_file(src + "/" + path, content);
  CaptureOptions o;
  o.source_dir = src;
  o.ref = *r;
  o.kind = kind;
  o.match = match;
  o.threads = 1;
  o.created_unix_s = 1'800'000'000;
  auto captured = capture_layer(o);
  if (!captured.ok()) throw std::runtime_error(captured.status().to_string());
  Status s = write_built_layer(out, captured->manifest, captured->manifest.encode(), captured->torrent, src);
  if (!s.ok()) throw std::runtime_error(s.to_string());
  return out;
}

}  // namespace bc::test
