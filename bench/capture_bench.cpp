// Capture throughput against one-core `openssl dgst -sha256` over the same
// bytes, measured side by side in one run, with the peak memory of capture.
//
//   bc-capture-bench [--size 2G] [--dir /tmp] [--repeat 3] [--threads 0]
//                    [--piece-kib 256] [--keep]
//
// Generates a layer-like tree (a few large image-like files and many small
// files), reads it once to warm the page cache, then runs, interleaved,
// `repeat` rounds of: the openssl binary over every file (one process per
// batch of paths, one core), a one-core in-process SHA-256 over the same
// files, capture_layer() with default threads and with one thread. Every
// measurement runs in its own child process so its peak RSS (getrusage) and
// its sampled peak anonymous memory belong to it alone. Prints medians.
#include <openssl/evp.h>
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <map>

#include "bench/bench_support.hpp"
#include "layers/capture/capture.hpp"
#include "layers/capture/walk.hpp"

using namespace bc;
using namespace bc::bench;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ---- child side: one measured operation, result on stdout as key=value ----

int child_capture(const std::string& dir, unsigned threads, uint32_t piece_bytes) {
  MemorySampler mem;
  CaptureOptions o;
  o.source_dir = dir;
  o.ref = {"bench", 1};
  o.threads = threads;
  o.piece_bytes = piece_bytes;
  o.created_unix_s = 1'800'000'000;
  auto t0 = std::chrono::steady_clock::now();
  auto layer = capture_layer(o);
  double secs = seconds_since(t0);
  if (!layer.ok()) {
    std::fprintf(stderr, "capture failed: %s\n", layer.status().to_string().c_str());
    return 1;
  }
  std::printf("seconds=%.6f anon_peak_kib=%llu bytes=%llu torrent_bytes=%zu info_hash=%s\n", secs,
              (unsigned long long)mem.peak_anon_kib(),
              (unsigned long long)layer->manifest.total_file_bytes(), layer->torrent.size(),
              layer->manifest.info_hash.c_str());
  return 0;
}

// The best one core can do: plain SHA-256 of each file, 1 MiB reads.
int child_sha256(const std::string& dir) {
  MemorySampler mem;
  auto t0 = std::chrono::steady_clock::now();
  auto tree = walk_tree(dir);
  if (!tree.ok()) return 1;
  std::vector<uint8_t> buf(1 << 20);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  uint64_t bytes = 0;
  for (const auto& e : tree->entries) {
    if (e.type != EntryType::file) continue;
    int fd = ::open((dir + "/" + e.path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    ssize_t n;
    while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
      EVP_DigestUpdate(ctx, buf.data(), size_t(n));
      bytes += uint64_t(n);
    }
    unsigned char md[32];
    EVP_DigestFinal_ex(ctx, md, nullptr);
    ::close(fd);
  }
  EVP_MD_CTX_free(ctx);
  std::printf("seconds=%.6f anon_peak_kib=%llu bytes=%llu\n", seconds_since(t0),
              (unsigned long long)mem.peak_anon_kib(), (unsigned long long)bytes);
  return 0;
}

std::map<std::string, std::string> parse_kv(const std::string& line) {
  std::map<std::string, std::string> kv;
  size_t at = 0;
  while (at < line.size()) {
    size_t end = line.find_first_of(" \n", at);
    if (end == std::string::npos) end = line.size();
    std::string tok = line.substr(at, end - at);
    if (auto eq = tok.find('='); eq != std::string::npos) kv[tok.substr(0, eq)] = tok.substr(eq + 1);
    at = end + 1;
  }
  return kv;
}

// ---- parent side ----

struct Row {
  std::string name;
  std::vector<double> wall_s;    // per round, as seen by the parent (includes exec)
  std::vector<double> cpu_s;
  std::vector<double> others_cores;  // CPU the rest of the machine used, in cores
  uint64_t maxrss_kib = 0;
  uint64_t anon_peak_kib = 0;    // 0 = not sampled (openssl)
  std::string info_hash;
};

// `openssl dgst -sha256 f1 f2 ...` over every file, in batches of paths that
// keep argv well under ARG_MAX; the batches run one after the other.
void run_openssl(const Tree& tree, Row& row) {
  double wall = 0, cpu = 0, others = 0;
  std::vector<std::string> argv = {"openssl", "dgst", "-sha256"};
  size_t argv_bytes = 0;
  auto flush = [&] {
    ChildRun r = run_child(argv, tree.root, false);
    if (r.exit_code != 0) {
      std::fprintf(stderr, "openssl failed (exit %d)\n", r.exit_code);
      std::exit(1);
    }
    wall += r.wall_s;
    cpu += r.cpu_s;
    others += r.others_cpu_s;
    row.maxrss_kib = std::max(row.maxrss_kib, r.maxrss_kib);
    argv.resize(3);
    argv_bytes = 0;
  };
  for (const auto& f : tree.files) {
    argv.push_back(f.rel);
    argv_bytes += f.rel.size() + 1;
    if (argv_bytes > (128u << 10)) flush();
  }
  if (argv.size() > 3) flush();
  row.wall_s.push_back(wall);
  row.cpu_s.push_back(cpu);
  row.others_cores.push_back(others / wall);
}

void run_self(const std::vector<std::string>& argv, const Tree& tree, Row& row) {
  ChildRun r = run_child(argv, "", true);
  auto kv = parse_kv(r.out);
  if (r.exit_code != 0 || !kv.count("seconds") || std::stoull(kv["bytes"]) != tree.total_bytes) {
    std::fprintf(stderr, "%s failed (exit %d): %s\n", row.name.c_str(), r.exit_code, r.out.c_str());
    std::exit(1);
  }
  row.wall_s.push_back(r.wall_s);
  row.cpu_s.push_back(r.cpu_s);
  row.others_cores.push_back(r.others_cpu_s / r.wall_s);
  row.maxrss_kib = std::max(row.maxrss_kib, r.maxrss_kib);
  row.anon_peak_kib = std::max<uint64_t>(row.anon_peak_kib, std::stoull(kv["anon_peak_kib"]));
  if (kv.count("info_hash")) {
    if (!row.info_hash.empty() && row.info_hash != kv["info_hash"]) {
      std::fprintf(stderr, "%s: info-hash differs between rounds\n", row.name.c_str());
      std::exit(1);
    }
    row.info_hash = kv["info_hash"];
  }
}

std::string mib(uint64_t kib) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f MiB", double(kib) / 1024);
  return b;
}

void print_table(const Tree& tree, const std::vector<Row>& rows) {
  const double ref_mib_s = double(tree.total_bytes) / median(rows[0].wall_s) / (1 << 20);
  std::printf("\n%-40s %8s %7s %6s %6s %7s %10s %10s   %s\n", "run", "median s", "MiB/s", "ratio",
              "cpu s", "others", "peak RSS", "peak anon", "rounds (s)");
  for (const auto& r : rows) {
    const double s = median(r.wall_s);
    const double mib_s = double(tree.total_bytes) / s / (1 << 20);
    std::string rounds;
    for (double w : r.wall_s) {
      char b[16];
      std::snprintf(b, sizeof b, " %.3f", w);
      rounds += b;
    }
    std::printf("%-40s %8.3f %7.0f %6.2f %6.2f %7.2f %10s %10s  %s\n", r.name.c_str(), s, mib_s,
                mib_s / ref_mib_s, median(r.cpu_s), median(r.others_cores), mib(r.maxrss_kib).c_str(),
                r.anon_peak_kib ? mib(r.anon_peak_kib).c_str() : "-", rounds.c_str());
  }
}

struct Args {
  std::string size = "2G";
  std::string dir = "/tmp";
  unsigned repeat = 3;
  unsigned threads = 0;
  uint32_t piece_kib = kDefaultPieceBytes / 1024;
  bool keep = false;
  bool no_single = false;
  double idle_wait_s = 60;
  TreeSpec spec;
};

int run_parent(const Args& a) {
  std::string self(4096, '\0');
  self.resize(size_t(std::max<ssize_t>(0, ::readlink("/proc/self/exe", self.data(), self.size()))));
  TreeSpec spec = a.spec;
  spec.total_bytes = parse_size(a.size);
  if (spec.total_bytes == 0) {
    std::fprintf(stderr, "--size: cannot parse '%s'\n", a.size.c_str());
    return 2;
  }
  const std::string root = a.dir + "/bc-capture-bench-" + std::to_string(::getpid());
  auto t0 = std::chrono::steady_clock::now();
  Tree tree = generate_tree(root, spec);
  ::sync();
  const double gen_s = seconds_since(t0);
  const double warm_s = read_all(tree);
  std::printf("tree %s: %s in %zu files (%zu large, %.0f%% of bytes), generated+synced in %.1f s, "
              "warm read %.2f s (%.0f MiB/s)\n",
              root.c_str(), human_bytes(tree.total_bytes).c_str(), tree.files.size(),
              tree.large_count(), spec.large_share * 100, gen_s, warm_s,
              double(tree.total_bytes) / warm_s / (1 << 20));
  std::printf("piece %u KiB, capture threads %s, %u rounds, cores %ld, load average before %.2f\n",
              a.piece_kib, a.threads ? std::to_string(a.threads).c_str() : "default (one per core)",
              a.repeat, ::sysconf(_SC_NPROCESSORS_ONLN), load_average_1min());
  std::vector<Row> rows = {{"openssl dgst -sha256 (1 core)"},
                           {"sha256 in-process (1 core, 1 MiB reads)"},
                           {"capture_layer (default threads)"},
                           {"capture_layer (1 thread)"}};
  const std::string piece = std::to_string(a.piece_kib * 1024);
  double idle_min = 1;
  for (unsigned r = 0; r < a.repeat; ++r) {
    if (a.idle_wait_s > 0) idle_min = std::min(idle_min, wait_for_idle(0.9, a.idle_wait_s));
    std::printf("round %u of %u...\n", r + 1, a.repeat);
    run_openssl(tree, rows[0]);
    run_self({self, "--child", "sha256", "--dir", root}, tree, rows[1]);
    run_self({self, "--child", "capture", "--dir", root, "--threads", std::to_string(a.threads),
              "--piece", piece}, tree, rows[2]);
    if (!a.no_single)
      run_self({self, "--child", "capture", "--dir", root, "--threads", "1", "--piece", piece}, tree,
               rows[3]);
  }
  if (a.no_single) rows.pop_back();
  print_table(tree, rows);
  std::printf("'others' = cores the rest of the machine used during the run (2 cores shared with "
              "other work); lowest idle share seen before a round: %.0f%%\n", idle_min * 100);
  const double ratio = median(rows[0].wall_s) / median(rows[2].wall_s);
  std::printf("\ncapture (default threads) / openssl one core = %.2f (issue target >= 1.20)%s\n",
              ratio, ratio >= 1.2 ? "" : "  BELOW TARGET");
  std::printf("load average after %.2f; info-hash %s\n", load_average_1min(), rows[2].info_hash.c_str());
  if (!a.no_single && rows[3].info_hash != rows[2].info_hash) {
    std::fprintf(stderr, "1-thread and default-thread captures disagree\n");
    return 1;
  }
  if (a.keep) std::printf("kept %s\n", root.c_str());
  else remove_tree(root);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Capture throughput against one-core openssl dgst -sha256, same run"};
  Args a;
  std::string child, child_dir;
  uint32_t child_piece = kDefaultPieceBytes;
  app.add_option("--size", a.size, "total tree size, e.g. 2G, 512M (default 2G)");
  app.add_option("--dir", a.dir, "where to create the tree (default /tmp)");
  app.add_option("--repeat", a.repeat, "rounds per measurement; medians are reported (default 3)")
      ->check(CLI::Range(1, 50));
  app.add_option("--threads", a.threads, "capture threads, 0 = one per core (default 0)");
  app.add_option("--piece-kib", a.piece_kib, "piece size in KiB (default: the layer default)");
  app.add_option("--large-share", a.spec.large_share, "share of bytes in large files (default 0.75)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--large-files", a.spec.large_files, "number of large files (default 4)");
  app.add_option("--seed", a.spec.seed, "content seed (default 1)");
  app.add_option("--idle-wait", a.idle_wait_s,
                 "before each round wait up to this many seconds for a 90% idle machine (default 60)");
  app.add_option_function<std::string>("--content", [&](const std::string& c) { parse_tree_content(c, &a.spec); },
                                       "random (default) | realistic: a subset of the cached Debian root")
      ->check(CLI::IsMember({"random", "realistic"}));
  app.add_flag("--keep", a.keep, "keep the generated tree");
  app.add_flag("--no-single", a.no_single, "skip the 1-thread capture rounds");
  app.add_option("--child", child)->group("");  // internal: one measured operation
  app.add_option("--piece", child_piece)->group("");
  CLI11_PARSE(app, argc, argv);
  if (child == "capture") return child_capture(a.dir, a.threads, child_piece);
  if (child == "sha256") return child_sha256(a.dir);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines show up when redirected
  return run_parent(a);
}
