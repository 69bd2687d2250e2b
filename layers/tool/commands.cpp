#include "layers/tool/commands.hpp"

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "layers/capture/capture.hpp"
#include "layers/capture/pack_bins.hpp"
#include "layers/capture/verify.hpp"
#include "layers/crypto/ed25519.hpp"
#include "layers/model/layer_dir.hpp"
#include "layers/tool/progress.hpp"
#include "layers/util/clock.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"

namespace bc::tool {

int fail(const Status& s) {
  std::fprintf(stderr, "bc-layer: %s\n", s.to_string().c_str());
  switch (s.code()) {
    case Status::Code::invalid_argument: return 2;
    case Status::Code::corruption: return 3;
    case Status::Code::permission_denied: return 4;
    default: return 1;
  }
}

int cmd_build(const BuildArgs& a) {
  CaptureOptions o;
  o.source_dir = a.source_dir;
  o.ref = {a.name, a.version};
  auto kind = parse_layer_kind(a.kind);
  if (!kind) return fail(Status::invalid_argument("--kind must be base, app or driver"));
  o.kind = *kind;
  if (!a.parent.empty()) {
    auto p = LayerRef::parse(a.parent);
    if (!p.ok()) return fail(p.status().with_context("--parent"));
    o.parent = *p;
  }
  for (const auto& kv : a.match) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail(Status::invalid_argument("--match '" + kv + "' is not KEY=GLOB"));
    o.match[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  o.piece_bytes = a.piece_kib * 1024;
  o.threads = a.threads;
  o.pack_small_files = !a.no_pack;
  o.compress = a.compress == "zstd";
  if (!a.pack_against.empty()) {
    auto prev = load_layer_dir(a.pack_against);
    if (!prev.ok()) return fail(prev.status().with_context("--pack-against"));
    auto pm = prev->peek();
    if (!pm.ok()) return fail(pm.status().with_context("--pack-against " + a.pack_against));
    o.pack_against = std::move(*pm);
  }
  o.created_unix_s = SystemClock().unix_s();
  Progress bar("capture " + o.ref.to_string());
  o.progress = [&](uint64_t d, uint64_t t) { bar.update(d, t); };
  auto t0 = std::chrono::steady_clock::now();
  auto layer = capture_layer(o);
  if (!layer.ok()) return fail(layer.status());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const Manifest& m = layer->manifest;
  std::string out = a.out_dir.empty() ? m.ref().to_string() + ".layer" : a.out_dir;
  std::string bytes = m.encode();
  if (Status s = write_built_layer(out, m, bytes, layer->torrent, a.source_dir); !s.ok()) return fail(s);
  std::printf("built %s (%s): %zu entries, %zu files, %s in %.2fs (%.0f MiB/s)\n",
              m.ref().to_string().c_str(), to_string(m.kind), m.entries.size(), m.file_count(),
              human_bytes(m.total_file_bytes()).c_str(), secs,
              secs > 0 ? double(m.total_file_bytes()) / secs / (1 << 20) : 0.0);
  std::printf("  info-hash %s\n  written to %s\n", m.info_hash.empty() ? "(none: no files)" : m.info_hash.c_str(),
              out.c_str());
  if (!a.sign_key.empty()) return cmd_sign(out, a.sign_key);
  return 0;
}

int cmd_keygen(const std::string& out) {
  SecretKey k = SecretKey::generate();
  if (Status s = k.save(out); !s.ok()) return fail(s);
  std::printf("wrote secret key %s (mode 0600) and public key %s.pub\n  public key %s\n",
              out.c_str(), out.c_str(), public_key_hex(k.public_key()).c_str());
  return 0;
}

int cmd_sign(const std::string& dir, const std::string& key_path) {
  auto key = SecretKey::load(key_path);
  if (!key.ok()) return fail(key.status());
  auto l = load_layer_dir(dir);
  if (!l.ok()) return fail(l.status());
  // Sign only what decodes: a signature vouches for a well-formed manifest.
  if (auto m = l->peek(); !m.ok()) return fail(m.status().with_context(dir + "/manifest.json"));
  Signature sig = key->sign({reinterpret_cast<const uint8_t*>(l->manifest_bytes.data()),
                             l->manifest_bytes.size()});
  if (Status s = write_layer_signature(dir, sig); !s.ok()) return fail(s);
  std::printf("signed %s with key %s\n", dir.c_str(),
              public_key_hex(key->public_key()).substr(0, 16).c_str());
  return 0;
}

int cmd_verify(const std::string& dir, const std::string& pubkey_path, unsigned threads) {
  auto pk = load_public_key(pubkey_path);
  if (!pk.ok()) return fail(pk.status());
  auto l = load_layer_dir(dir);
  if (!l.ok()) return fail(l.status());
  auto tm = l->trust(*pk);
  if (!tm.ok()) return fail(tm.status().with_context(dir));
  std::printf("signature ok: %s signed by %s\n", tm->manifest().ref().to_string().c_str(),
              public_key_hex(*pk).substr(0, 16).c_str());
  VerifyOptions vo;
  vo.threads = threads;
  vo.bins_dir = l->bins_dir;
  Progress bar("verify " + tm->manifest().ref().to_string());
  vo.progress = [&](uint64_t d, uint64_t t) { bar.update(d, t); };
  if (Status s = verify_payload(*tm, l->torrent, l->payload_dir, vo); !s.ok())
    return fail(s.with_context(dir));
  std::printf("content ok: %zu entries, %s match the manifest and the torrent\n",
              tm->manifest().entries.size(), human_bytes(tm->manifest().total_file_bytes()).c_str());
  return 0;
}

int cmd_inspect(const std::string& dir, bool as_json) {
  auto l = load_layer_dir(dir);
  if (!l.ok()) return fail(l.status());
  auto m = l->peek();
  if (!m.ok()) return fail(m.status().with_context(dir));
  if (as_json) {
    auto j = nlohmann::json::parse(l->manifest_bytes);
    j["signed"] = l->signature.has_value();
    j["payload"] = l->payload_dir;
    j["bins_dir"] = l->bins_dir;
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  size_t dirs = 0, links = 0;
  for (const auto& e : m->entries) {
    dirs += e.type == EntryType::dir;
    links += e.type == EntryType::symlink;
  }
  std::printf("layer     %s (%s)\n", m->ref().to_string().c_str(), to_string(m->kind));
  std::printf("parent    %s\n", m->parent ? m->parent->to_string().c_str() : "-");
  std::printf("created   %s\n", m->created.c_str());
  std::printf("contents  %zu files (%s), %zu directories, %zu symlinks\n", m->file_count(),
              human_bytes(m->total_file_bytes()).c_str(), dirs, links);
  size_t packed = 0;
  uint64_t packed_bytes = 0;
  for (const auto& e : m->entries)
    if (e.packed()) ++packed, packed_bytes += e.size;
  std::printf("packed    %zu small files (%s) in %zu bins of at most %llu KiB (schema %d)\n", packed,
              human_bytes(packed_bytes).c_str(), m->bins.size(), (unsigned long long)(kPackBinBytes / 1024),
              m->schema);
  std::printf("pieces    %u KiB\n", m->piece_size / 1024);
  std::printf("info-hash %s\n", m->info_hash.empty() ? "-" : m->info_hash.c_str());
  for (const auto& [k, v] : m->match) std::printf("match     %s = %s\n", k.c_str(), v.c_str());
  std::printf("signature %s (unchecked here; run bc-layer verify)\n",
              l->signature ? "present" : "absent");
  return 0;
}

}  // namespace bc::tool
