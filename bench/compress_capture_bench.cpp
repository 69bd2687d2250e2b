// Compression on the wire, captured for real (not the model of
// bc-bench-compress-plan): wire bytes ÷ content of a realistic base, of its
// next version's delta, of random content and of a 4 KiB file mix, with
// compression (schema 3) and without (schema 2), and capture time against
// one-core `openssl dgst -sha256` over the same files, side by side in one run.
//
//   bc-bench-compress-capture --v1 ROOT1 --v2 ROOT2 [--tmp /tmp] [--chunk-kib 1024]
//
// Wire bytes: every torrent file rounded up to whole 16 KiB blocks (libtorrent
// 2.0.8 sends a file's last block whole). Delta: the torrent files of v2 whose
// wire roots v1 lacks; "fetched" leaves out bins a holder of v1 assembles from
// members it holds (prepare_payload). Raw changed bytes: v2 files whose raw
// root v1 lacks, counted whole, or by differing 64 KiB pieces when v1 has a
// file of that path.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>

#include "layers/capture/capture.hpp"
#include "layers/model/pack.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/rng.hpp"

using namespace bc;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kBlock = 16 * 1024;
uint32_t g_chunk = kDefaultChunkBytes;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
uint64_t blocks(uint64_t n) { return (n + kBlock - 1) / kBlock * kBlock; }
double mib(uint64_t n) { return double(n) / (1 << 20); }

struct Captured {
  Manifest m;
  double seconds = 0;
};

Captured capture(const std::string& dir, bool compress, int64_t version, const Manifest* against) {
  CaptureOptions o;
  o.source_dir = dir;
  o.ref = {"bench", version};
  o.compress = compress;
  o.chunk_bytes = g_chunk;
  o.created_unix_s = 1'800'000'000;
  if (against) o.pack_against = *against;
  auto t0 = std::chrono::steady_clock::now();
  auto l = capture_layer(o);
  const double s = seconds_since(t0);
  if (!l.ok()) {
    std::fprintf(stderr, "capture %s: %s\n", dir.c_str(), l.status().to_string().c_str());
    std::exit(1);
  }
  return {std::move(l->manifest), s};
}

uint64_t wire(const Manifest& m) {
  uint64_t n = 0;
  for (const auto& f : m.payload_files()) n += blocks(f.size);
  return n;
}

// Raw changed bytes of b against a (header comment).
uint64_t raw_changed(const Manifest& a, const std::string& a_dir, const Manifest& b, const std::string& b_dir) {
  std::set<Sha256Digest> held;
  for (const auto& e : a.entries) held.insert(e.root);
  uint64_t n = 0;
  for (const auto& e : b.entries) {
    if (e.type != EntryType::file || e.size == 0 || held.count(e.root)) continue;
    const Entry* old = a.find(e.path);
    if (!old || old->type != EntryType::file || e.size < 65536) {
      n += e.size;
      continue;
    }
    auto x = read_file_of_size(a_dir + "/" + e.path, old->size), y = read_file_of_size(b_dir + "/" + e.path, e.size);
    if (!x.ok() || !y.ok()) { n += e.size; continue; }
    for (uint64_t off = 0; off < e.size; off += 65536) {
      const uint64_t len = std::min<uint64_t>(65536, e.size - off);
      if (off + len > x->size() || x->compare(off, len, *y, off, len) != 0) n += len;
    }
  }
  return n;
}

struct Delta {
  uint64_t wire_new = 0, fetched = 0;
};

Delta delta(const Manifest& a, const Manifest& b) {
  std::set<Sha256Digest> roots, files;
  for (const auto& f : a.payload_files()) roots.insert(f.root);
  for (const auto& e : a.entries) files.insert(e.root);
  const auto members = bin_members(b);
  Delta d;
  for (const auto& f : b.payload_files()) {
    if (f.size == 0 || roots.count(f.root)) continue;
    d.wire_new += blocks(f.size);
    bool assembled = f.bin != kNotPacked;
    if (assembled)
      for (size_t i : members[f.bin])
        assembled = assembled && !b.entries[i].chunked() && files.count(b.entries[i].root);
    if (!assembled) d.fetched += blocks(f.size);
  }
  return d;
}

void make_random_tree(const std::string& dir, bool mix4k) {
  SplitMix64 rng(42);
  auto bytes = [&](size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = char(rng.next());
    return s;
  };
  fs::create_directories(dir);
  if (mix4k) {
    for (int i = 0; i < 8192; ++i) (void)write_file_atomic(dir + "/f" + std::to_string(i), bytes(4096), 0644);
    return;
  }
  for (int i = 0; i < 4; ++i) (void)write_file_atomic(dir + "/big" + std::to_string(i), bytes(16 << 20), 0644);
  for (int i = 0; i < 500; ++i)
    (void)write_file_atomic(dir + "/s" + std::to_string(i), bytes(1 + rng.next() % (200 * 1024)), 0644);
}

double openssl_seconds(const std::string& dir) {
  const std::string cmd = "find '" + dir + "' -type f -print0 | xargs -0 -n 2000 openssl dgst -sha256 >/dev/null";
  auto t0 = std::chrono::steady_clock::now();
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "openssl dgst failed\n");
  return seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Compression on the wire, captured for real"};
  std::string v1_dir, v2_dir, tmp = "/tmp";
  uint32_t chunk_kib = kDefaultChunkBytes / 1024;
  app.add_option("--v1", v1_dir, "the base tree")->required()->check(CLI::ExistingDirectory);
  app.add_option("--v2", v2_dir, "its next version")->required()->check(CLI::ExistingDirectory);
  app.add_option("--tmp", tmp, "where the random trees go (removed after)");
  app.add_option("--chunk-kib", chunk_kib, "chunk size of large compressible files; default 1024");
  CLI11_PARSE(app, argc, argv);
  g_chunk = chunk_kib * 1024;

  const double sha = openssl_seconds(v1_dir);
  for (const bool z : {false, true}) {
    const char* name = z ? "zstd (schema 3)" : "none (schema 2)";
    Captured a = capture(v1_dir, z, 1, nullptr), b = capture(v2_dir, z, 2, &a.m);
    const uint64_t content = a.m.total_file_bytes(), changed = raw_changed(a.m, v1_dir, b.m, v2_dir);
    const Delta d = delta(a.m, b.m);
    std::printf("%s: base %.1f MiB content, wire %.3fx; capture %.2f s (%.0f MiB/s, %.2fx one-core openssl "
                "sha256 at %.0f MiB/s)\n",
                name, mib(content), double(wire(a.m)) / double(content), a.seconds, mib(content) / a.seconds,
                sha / a.seconds, mib(content) / sha);
    std::printf("%s: v2 raw changed %.1f MiB; wire new %.1f MiB = %.3fx; fetched (assembled bins left out) "
                "%.1f MiB = %.3fx\n",
                name, mib(changed), mib(d.wire_new), double(d.wire_new) / double(changed), mib(d.fetched),
                double(d.fetched) / double(changed));
  }
  for (const bool mix : {false, true}) {
    const std::string dir = tmp + "/bc-compress-bench-" + (mix ? "4k" : "random");
    make_random_tree(dir, mix);
    for (const bool z : {false, true}) {
      Captured c = capture(dir, z, 1, nullptr);
      std::printf("%s, %s: %.1f MiB content, wire %.4fx\n", mix ? "4 KiB random files" : "random content",
                  z ? "zstd" : "none", mib(c.m.total_file_bytes()),
                  double(wire(c.m)) / double(c.m.total_file_bytes()));
    }
    fs::remove_all(dir);
  }
  return 0;
}
