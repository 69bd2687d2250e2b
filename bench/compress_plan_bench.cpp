// Which compression layout keeps dedup and deltas on real OS content? Models
// the bytes a layer would put on the wire under several layouts, for a base
// tree (v1) and its next version (v2), without building torrents: the wire
// cost of one torrent file is its size rounded up to whole 16 KiB blocks
// (libtorrent 2.0.8 sends a file's last block whole, pack.hpp).
//
// Layouts (each unit is content-addressed by the SHA-256 of its raw bytes, so
// a unit v1 already holds costs v2 nothing):
//   raw      today: files below 16 KiB packed into 16 KiB bins, the rest as
//            they are; v2 moves changed bins, new files, and for a file at an
//            unchanged path only the differing 64 KiB pieces.
//   zstd/C/B files below 16 KiB packed into bins of B raw bytes, each bin one
//            zstd frame; files up to C one frame; larger files cut into raw
//            C-byte chunks, one frame each (a rewrite inside a large file
//            changes only its chunks). A unit that does not shrink by 3% is
//            kept raw. Bins end at a name-defined cut (one name in 128) as
//            pack.hpp's do, so an insertion re-packs a few bins only.
// Also: zstd speed against one-core SHA-256 (capture hashes every byte).
//
//   bc-bench-compress-plan --v1 DIR --v2 DIR [--level 3]
//   (scripts/realistic-roots.sh makes the two trees; docs/benchmarks.md)
#include <zstd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "layers/crypto/sha256.hpp"

namespace fs = std::filesystem;
using bc::Sha256Digest;

namespace {

constexpr uint64_t kBlock = 16 * 1024;
constexpr uint64_t kPiece = 64 * 1024;
uint64_t kSmall = 16 * 1024;  // --pack-below

uint64_t wire(uint64_t bytes) { return (bytes + kBlock - 1) / kBlock * kBlock; }

struct File {
  std::string path;
  std::string bytes;
};

std::vector<File> read_tree(const std::string& root) {
  std::vector<File> out;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied);
       it != fs::recursive_directory_iterator(); ++it) {
    const std::string rel = fs::relative(it->path(), root).string();
    if (it->is_directory() && (rel == "proc" || rel == "sys" || rel == "dev")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->is_symlink() || it->file_size() == 0) continue;
    std::ifstream in(it->path(), std::ios::binary);
    File f{rel, std::string(std::istreambuf_iterator<char>(in), {})};
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const File& a, const File& b) { return a.path < b.path; });
  return out;
}

std::string key(std::string_view bytes) {
  const Sha256Digest d = bc::sha256({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

bool cut_after(const std::string& path) { return std::hash<std::string>{}(path) % 128 == 0; }

// One torrent file of a layout: its raw content key and its wire bytes.
struct Unit {
  std::string raw_key;
  uint64_t raw_bytes = 0;
  uint64_t wire_bytes = 0;
};

class Zstd {
 public:
  explicit Zstd(int level) : level_(level), cctx_(ZSTD_createCCtx()) {}
  ~Zstd() { ZSTD_freeCCtx(cctx_); }
  uint64_t compressed_size(std::string_view raw) {
    buf_.resize(ZSTD_compressBound(raw.size()));
    const size_t n = ZSTD_compressCCtx(cctx_, buf_.data(), buf_.size(), raw.data(), raw.size(), level_);
    if (ZSTD_isError(n)) std::abort();
    return n;
  }
  // Wire bytes of a unit: compressed unless that saves less than 3%.
  // Compressed against a reference the decoder holds (zstd --patch-from).
  uint64_t patch_size(std::string_view raw, std::string_view reference) {
    buf_.resize(ZSTD_compressBound(raw.size()));
    ZSTD_CCtx_reset(cctx_, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level_);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_enableLongDistanceMatching, 1);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_windowLog, 27);
    ZSTD_CCtx_refPrefix(cctx_, reference.data(), reference.size());
    const size_t n = ZSTD_compress2(cctx_, buf_.data(), buf_.size(), raw.data(), raw.size());
    if (ZSTD_isError(n)) std::abort();
    ZSTD_CCtx_reset(cctx_, ZSTD_reset_session_and_parameters);
    return n;
  }
  uint64_t unit_wire(std::string_view raw) {
    const uint64_t c = compressed_size(raw);
    return wire(c * 100 < raw.size() * 97 ? c : raw.size());
  }

 private:
  int level_;
  ZSTD_CCtx* cctx_;
  std::string buf_;
};

// chunk == 0: the raw layout of today.
std::vector<Unit> layout(const std::vector<File>& files, uint64_t chunk, uint64_t bin_bytes, Zstd* z) {
  std::vector<Unit> units;
  std::string bin;
  auto close_bin = [&] {
    if (bin.empty()) return;
    units.push_back({key(bin), bin.size(), z ? z->unit_wire(bin) : wire(bin.size())});
    bin.clear();
  };
  for (const File& f : files) {
    if (f.bytes.size() < kSmall) {
      if (bin.size() + f.bytes.size() > bin_bytes) close_bin();
      bin += f.bytes;
      if (cut_after(f.path)) close_bin();
      continue;
    }
    if (!z) {
      units.push_back({key(f.bytes), f.bytes.size(), wire(f.bytes.size())});
      continue;
    }
    const uint64_t step = (chunk == 0 || f.bytes.size() <= chunk) ? f.bytes.size() : chunk;
    for (uint64_t off = 0; off < f.bytes.size(); off += step) {
      const std::string_view part(f.bytes.data() + off, std::min<uint64_t>(step, f.bytes.size() - off));
      units.push_back({key(part), part.size(), z->unit_wire(part)});
    }
  }
  close_bin();
  return units;
}

struct Cost {
  uint64_t raw = 0;
  uint64_t wire = 0;
};

Cost total(const std::vector<Unit>& u) {
  Cost c;
  for (const Unit& x : u) c.raw += x.raw_bytes, c.wire += x.wire_bytes;
  return c;
}

// What v2 moves given v1's units: units whose content v1 holds nowhere.
Cost moved(const std::vector<Unit>& v1, const std::vector<Unit>& v2) {
  std::set<std::string> held;
  for (const Unit& x : v1) held.insert(x.raw_key);
  Cost c;
  for (const Unit& x : v2)
    if (!held.count(x.raw_key)) c.raw += x.raw_bytes, c.wire += x.wire_bytes;
  return c;
}

// Today's delta for large files at an unchanged path: only differing pieces.
// padded: wire bytes (whole last blocks); else content bytes.
uint64_t raw_piece_delta(const std::vector<File>& v1, const std::vector<File>& v2, bool padded) {
  std::map<std::string, const File*> old;
  std::set<std::string> held;
  for (const File& f : v1) old[f.path] = &f, held.insert(key(f.bytes));
  uint64_t bytes = 0;
  for (const File& f : v2) {
    if (f.bytes.size() < kSmall || held.count(key(f.bytes))) continue;
    auto it = old.find(f.path);
    if (it == old.end()) {
      bytes += padded ? wire(f.bytes.size()) : f.bytes.size();
      continue;
    }
    for (uint64_t off = 0; off < f.bytes.size(); off += kPiece) {
      const uint64_t n = std::min(kPiece, f.bytes.size() - off);
      const std::string& o = it->second->bytes;
      if (off + n > o.size() || o.compare(off, n, f.bytes, off, n) != 0) bytes += padded ? wire(n) : n;
    }
  }
  return bytes;
}

double mib(uint64_t b) { return double(b) / double(1 << 20); }

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Compression layouts on real OS content: wire bytes of a base and its delta"};
  std::string v1_dir, v2_dir;
  int level = 3;
  app.add_option("--v1", v1_dir, "the base tree")->required()->check(CLI::ExistingDirectory);
  app.add_option("--v2", v2_dir, "its next version")->required()->check(CLI::ExistingDirectory);
  app.add_option("--pack-below", kSmall, "zstd layouts pack files below this many bytes; default 16384")
      ->check(CLI::Range(uint64_t(1), uint64_t(64) << 20));
  app.add_option("--level", level, "zstd level; default 3")->check(CLI::Range(1, 19));
  CLI11_PARSE(app, argc, argv);

  const std::vector<File> v1 = read_tree(v1_dir), v2 = read_tree(v2_dir);
  uint64_t v1_bytes = 0;
  for (const File& f : v1) v1_bytes += f.bytes.size();
  std::printf("v1: %zu files, %.1f MiB; v2: %zu files; zstd %s level %d\n", v1.size(), mib(v1_bytes), v2.size(),
              ZSTD_versionString(), level);

  // Speed on one core: SHA-256 of every byte against zstd of every byte.
  auto t0 = std::chrono::steady_clock::now();
  for (const File& f : v1) (void)key(f.bytes);
  const double sha_s = seconds_since(t0);
  Zstd z(level);
  t0 = std::chrono::steady_clock::now();
  uint64_t whole = 0;
  for (const File& f : v1) whole += z.compressed_size(f.bytes);
  const double z_s = seconds_since(t0);
  std::printf("one core: SHA-256 %.0f MiB/s, zstd -%d %.0f MiB/s (%.2fx of SHA-256); every file one frame: %.3fx\n",
              mib(v1_bytes) / sha_s, level, mib(v1_bytes) / z_s, sha_s / z_s, double(whole) / double(v1_bytes));

  const uint64_t pack_below = kSmall;
  kSmall = 16 * 1024;  // today's layout packs below one block
  const std::vector<Unit> raw1 = layout(v1, 0, kBlock, nullptr), raw2 = layout(v2, 0, kBlock, nullptr);
  const Cost base_raw = total(raw1);
  // Today's delta: the bins v1 lacks, and the differing pieces of large files.
  uint64_t delta_raw = raw_piece_delta(v1, v2, true), changed = raw_piece_delta(v1, v2, false);
  {
    std::set<std::string> held;
    for (const Unit& u : raw1) held.insert(u.raw_key);
    for (const Unit& u : raw2)
      if (u.raw_bytes <= kBlock && !held.count(u.raw_key)) delta_raw += u.wire_bytes, changed += u.raw_bytes;
  }
  std::printf("content: v1 %.1f MiB, v2 changed %.1f MiB (new files, changed 64 KiB pieces, changed bins);"
              " zstd layouts pack files below %lu KiB\n",
              mib(v1_bytes), mib(changed), static_cast<unsigned long>(pack_below >> 10));
  std::printf("\n%-24s %12s %11s %13s %11s\n", "layout", "base wire", "÷ content", "delta wire", "÷ changed");
  auto row = [&](const char* name, uint64_t base, uint64_t delta) {
    std::printf("%-24s %8.1f MiB %10.3fx %9.1f MiB %10.3fx\n", name, mib(base), double(base) / double(v1_bytes),
                mib(delta), double(delta) / double(changed));
  };
  row("raw (today)", base_raw.wire, delta_raw);
  kSmall = pack_below;
  for (uint64_t chunk : {uint64_t(256) << 10, uint64_t(1) << 20, uint64_t(4) << 20, uint64_t(0)})
    for (uint64_t bin : {kBlock, uint64_t(256) << 10, uint64_t(1) << 20, uint64_t(4) << 20}) {
      const std::vector<Unit> a = layout(v1, chunk, bin, &z), b = layout(v2, chunk, bin, &z);
      const Cost base = total(a), d = moved(a, b);
      char name[64];
      std::snprintf(name, sizeof name, "zstd chunk %s bin %luK", chunk ? (std::to_string(chunk >> 10) + "K").c_str() : "none",
                    static_cast<unsigned long>(bin >> 10));
      row(name, base.wire, d.wire);
    }

  // Patches: a changed file at an unchanged path, compressed against its v1
  // bytes (which a node upgrading from v1 holds); the rest as "chunk none".
  {
    std::map<std::string, const File*> old;
    std::set<std::string> held;
    for (const File& f : v1) old[f.path] = &f, held.insert(key(f.bytes));
    uint64_t plain = 0, patched = 0, patch_raw = 0;
    for (const File& f : v2) {
      if (f.bytes.size() < kSmall || held.count(key(f.bytes))) continue;
      auto it = old.find(f.path);
      const uint64_t whole = z.unit_wire(f.bytes);
      plain += whole;
      if (it == old.end()) {
        patched += whole;
        continue;
      }
      patch_raw += f.bytes.size();
      patched += std::min(whole, wire(z.patch_size(f.bytes, it->second->bytes)));
    }
    std::printf("\nlarge files of v2 (changed or new): whole frames %.1f MiB, with patches against v1 %.1f MiB "
                "(%.1f MiB of them changed at an unchanged path)\n",
                mib(plain), mib(patched), mib(patch_raw));
  }
  return 0;
}
