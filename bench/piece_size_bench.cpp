// Piece size by measurement: metadata size against delta granularity.
//
//   bc-piece-size-bench [--size 1G] [--dir /tmp] [--change 0.05]
//                       [--write-min-kib 64] [--write-max-kib 1024] [--keep]
//
// Generates a layer-like tree (large image-like files plus many small files)
// and captures it at every piece size from 16 KiB to 4 MiB. Then it makes a
// "5% change" — block-aligned ranges of 64 KiB..1 MiB rewritten inside the
// large files and whole small files replaced, `change` of each kind's bytes —
// captures again at every piece size and counts, file by file, which pieces
// (or, for files within one piece, which whole files) differ between the two
// versions: those are the bytes a node holding version 1 must fetch for
// version 2. Prints, per piece size, the torrent size (it carries the piece
// layers, 32 bytes per piece), the bytes that must move against the bytes
// that truly changed, and their sum (what one branch's WAN link carries).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "bench/bench_support.hpp"
#include "layers/capture/capture.hpp"
#include "layers/torrent/layer_torrent.hpp"

using namespace bc;
using namespace bc::bench;

namespace {

struct Version {
  size_t torrent_bytes = 0;
  size_t manifest_bytes = 0;
  double capture_s = 0;
  double parse_ms = 0;  // read_layer_torrent (libtorrent parse + our checks)
  std::map<std::string, TorrentFile> files;
};

Version capture_at(const std::string& root, uint32_t piece_bytes) {
  CaptureOptions o;
  o.source_dir = root;
  o.ref = {"bench", 1};
  o.piece_bytes = piece_bytes;
  o.created_unix_s = 1'800'000'000;
  auto t0 = std::chrono::steady_clock::now();
  auto layer = capture_layer(o);
  Version v;
  v.capture_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!layer.ok()) {
    std::fprintf(stderr, "capture failed: %s\n", layer.status().to_string().c_str());
    std::exit(1);
  }
  v.torrent_bytes = layer->torrent.size();
  v.manifest_bytes = layer->manifest.encode().size();
  t0 = std::chrono::steady_clock::now();
  auto facts = read_layer_torrent(layer->torrent);
  v.parse_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!facts.ok()) {
    std::fprintf(stderr, "torrent unreadable: %s\n", facts.status().to_string().c_str());
    std::exit(1);
  }
  v.files = std::move(facts->files);
  return v;
}

// The bytes a holder of `a` must fetch to hold `b`: whole differing pieces of
// multi-piece files, whole files for files within one piece.
struct Delta {
  uint64_t moved_bytes = 0;
  uint64_t changed_pieces = 0;
};

Delta delta(const Version& a, const Version& b, uint32_t piece_bytes) {
  Delta d;
  for (const auto& [path, nf] : b.files) {
    const TorrentFile& of = a.files.at(path);
    if (nf.pieces.empty() || of.pieces.size() != nf.pieces.size()) {
      if (nf.root != of.root) {
        d.moved_bytes += nf.size;
        d.changed_pieces += std::max<uint64_t>(1, nf.pieces.size());
      }
      continue;
    }
    for (size_t p = 0; p < nf.pieces.size(); ++p) {
      if (nf.pieces[p] == of.pieces[p]) continue;
      d.moved_bytes += std::min<uint64_t>(piece_bytes, nf.size - uint64_t(p) * piece_bytes);
      ++d.changed_pieces;
    }
  }
  return d;
}

uint64_t union_bytes(std::vector<std::pair<uint64_t, uint64_t>> ranges) {
  std::sort(ranges.begin(), ranges.end());
  uint64_t total = 0, end = 0;
  for (auto [b, e] : ranges) {
    if (b < end) b = end;
    if (e > b) total += e - b;
    end = std::max(end, e);
  }
  return total;
}

struct ChangeSpec {
  double share = 0.05;
  uint64_t write_min_bytes = 64 << 10;
  uint64_t write_max_bytes = 1 << 20;
  uint64_t seed = 2;
};

// Applies the change; returns the bytes that truly changed.
uint64_t apply_change(const Tree& tree, const ChangeSpec& c, size_t* ranges_out, size_t* files_out) {
  SplitMix64 rng(c.seed);
  uint64_t large_bytes = 0, changed = 0;
  std::vector<const TreeFile*> large, small;
  for (const auto& f : tree.files) (f.large ? large : small).push_back(&f);
  for (auto* f : large) large_bytes += f->size;
  std::map<const TreeFile*, std::vector<std::pair<uint64_t, uint64_t>>> ranges;
  const uint64_t block = 16 << 10;
  uint64_t rewritten = 0;
  while (!large.empty() && rewritten < uint64_t(double(large_bytes) * c.share)) {
    const TreeFile* f = large[rng.below(large.size())];
    const uint64_t blocks_min = c.write_min_bytes / block, blocks_max = c.write_max_bytes / block;
    const uint64_t len = block * (blocks_min + rng.below(blocks_max - blocks_min + 1));
    if (f->size < len) continue;
    const uint64_t off = block * rng.below((f->size - len) / block + 1);
    rewrite_range(tree.root + "/" + f->rel, off, len, rng);
    ranges[f].push_back({off, off + len});
    ++*ranges_out;
    rewritten = 0;
    for (const auto& [file, r] : ranges) rewritten += union_bytes(r);
  }
  changed += rewritten;
  const size_t replace = size_t(double(small.size()) * c.share + 0.5);
  for (size_t i = 0; i < replace; ++i) {
    std::swap(small[i], small[i + rng.below(small.size() - i)]);  // distinct picks
    write_random_file(tree.root + "/" + small[i]->rel, small[i]->size, rng);
    changed += small[i]->size;
    ++*files_out;
  }
  return changed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Piece size: torrent metadata against delta granularity"};
  std::string size = "1G", dir = "/tmp";
  bool keep = false;
  TreeSpec spec;
  ChangeSpec change;
  uint64_t write_min_kib = 64, write_max_kib = 1024;
  app.add_option("--size", size, "layer size (default 1G)");
  app.add_option("--dir", dir, "where to create the tree (default /tmp)");
  app.add_option("--change", change.share, "share of bytes changed (default 0.05)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--write-min-kib", write_min_kib, "smallest rewritten range, KiB (default 64)");
  app.add_option("--write-max-kib", write_max_kib, "largest rewritten range, KiB (default 1024)");
  app.add_option("--large-share", spec.large_share, "share of bytes in large files (default 0.75)");
  app.add_option_function<std::string>("--content", [&](const std::string& c) { parse_tree_content(c, &spec); },
                                       "random (default) | realistic: a subset of the cached Debian root")
      ->check(CLI::IsMember({"random", "realistic"}));
  app.add_flag("--keep", keep, "keep the generated tree");
  CLI11_PARSE(app, argc, argv);
  spec.total_bytes = parse_size(size);
  change.write_min_bytes = std::max<uint64_t>(16, write_min_kib) << 10;
  change.write_max_bytes = std::max<uint64_t>(change.write_min_bytes >> 10, write_max_kib) << 10;
  if (spec.total_bytes == 0) return 2;

  const std::string root = dir + "/bc-piece-size-bench-" + std::to_string(::getpid());
  Tree tree = generate_tree(root, spec);
  std::printf("tree: %s in %zu files (%zu large, %.0f%% of bytes)\n", human_bytes(tree.total_bytes).c_str(),
              tree.files.size(), tree.large_count(), spec.large_share * 100);
  std::vector<uint32_t> pieces;
  for (uint32_t p = 16 << 10; p <= (4u << 20); p *= 2) pieces.push_back(p);
  std::vector<Version> before;
  for (uint32_t p : pieces) before.push_back(capture_at(root, p));
  size_t ranges = 0, files = 0;
  const uint64_t changed = apply_change(tree, change, &ranges, &files);
  std::printf("change: %zu ranges of %llu..%llu KiB rewritten in large files, %zu small files "
              "replaced; %s truly changed (%.1f%%)\n\n",
              ranges, (unsigned long long)(change.write_min_bytes >> 10),
              (unsigned long long)(change.write_max_bytes >> 10), files, human_bytes(changed).c_str(),
              100.0 * double(changed) / double(tree.total_bytes));
  std::printf("%9s %12s %10s %9s %10s %13s %12s %8s %16s\n", "piece", "torrent", "per GiB",
              "parse ms", "capture s", "changed pcs", "moved", "moved/", "torrent+moved");
  std::printf("%9s %12s %10s %9s %10s %13s %12s %8s %16s\n", "", "bytes", "", "", "", "", "",
              "changed", "(WAN per branch)");
  for (size_t i = 0; i < pieces.size(); ++i) {
    Version after = capture_at(root, pieces[i]);
    Delta d = delta(before[i], after, pieces[i]);
    const double gib = double(tree.total_bytes) / double(1 << 30);
    std::printf("%9s %12zu %10s %9.1f %10.2f %13llu %12s %8.2f %16s\n",
                human_bytes(pieces[i]).c_str(), after.torrent_bytes,
                human_bytes(uint64_t(double(after.torrent_bytes) / gib)).c_str(), after.parse_ms,
                after.capture_s, (unsigned long long)d.changed_pieces,
                human_bytes(d.moved_bytes).c_str(), double(d.moved_bytes) / double(changed),
                human_bytes(d.moved_bytes + after.torrent_bytes).c_str());
  }
  std::printf("\nmanifest: %s (the same at every piece size)\n",
              human_bytes(before[0].manifest_bytes).c_str());
  if (keep) std::printf("kept %s\n", root.c_str());
  else remove_tree(root);
  return 0;
}
