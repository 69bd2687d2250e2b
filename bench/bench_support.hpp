// Shared parts of the capture benchmarks: a generated layer-like tree, child
// processes timed with their own resource usage, and a sampler of this
// process's private (anonymous) memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "layers/util/human_bytes.hpp"
#include "layers/util/rng.hpp"

namespace bc::bench {

// "2G", "512M", "64K", "1000" -> bytes (binary units). 0 when unparsable.
uint64_t parse_size(const std::string& text);

// A tree like an OS or application layer: a few large image-like files hold
// `large_share` of the bytes, the rest is many small files whose sizes are
// log-uniform in [small_min_bytes, small_max_bytes], 256 per directory.
// random: generated incompressible bytes (the worst case); realistic: a
// subset of the cached Debian root (netsim/realistic/realistic_tree.hpp,
// scripts/realistic-roots.sh), or /usr/bin when none is cached.
enum class TreeContent { random, realistic };

struct TreeSpec {
  TreeContent content = TreeContent::random;  // default random (--content)
  // realistic: where the roots are cached; default /var/cache/branchcast/roots.
  std::string roots_dir = "/var/cache/branchcast/roots";
  // random: the size; realistic: at most this much of the root (a path-hash
  // subset of about this size; the whole root when it is smaller).
  uint64_t total_bytes = 2ull << 30;   // default 2 GiB
  double large_share = 0.75;           // default 75% of the bytes in large files
  unsigned large_files = 4;            // default 4
  uint64_t small_min_bytes = 512;      // default 512 B
  uint64_t small_max_bytes = 512 << 10;  // default 512 KiB
  uint64_t seed = 1;
};

struct TreeFile {
  std::string rel;  // path below the tree root
  uint64_t size = 0;
  bool large = false;
};

struct Tree {
  std::string root;
  std::vector<TreeFile> files;
  uint64_t total_bytes = 0;
  size_t large_count() const;
};

// Writes the tree under `root` (which must not exist); exits on I/O errors.
// A realistic tree marks files of >= 4 MiB large (the rest are its many
// small files); large_share, large_files and the small sizes do not apply.
Tree generate_tree(const std::string& root, const TreeSpec& spec);
// Parses "random" | "realistic" into spec->content (for a --content option).
bool parse_tree_content(const std::string& text, TreeSpec* spec);
// Rewrites [offset, offset+len) of a file with fresh random bytes.
void rewrite_range(const std::string& path, uint64_t offset, uint64_t len, SplitMix64& rng);
// Replaces a file with `size` fresh random bytes.
void write_random_file(const std::string& path, uint64_t size, SplitMix64& rng);
// Reads every byte once (to warm the page cache); returns seconds taken.
double read_all(const Tree& tree);
void remove_tree(const std::string& root);

// Busy and total CPU time of the whole machine so far (/proc/stat), seconds.
struct CpuTimes {
  double busy_s = 0;
  double total_s = 0;
};
CpuTimes machine_cpu_times();

// Waits until the machine was at least `idle_share` idle over a 0.5 s window,
// at most `max_wait_s`; returns the idle share of the last window. The
// machine is shared: a measurement of parallel speed needs idle cores.
double wait_for_idle(double idle_share, double max_wait_s);

struct ChildRun {
  double wall_s = 0;
  double others_cpu_s = 0;  // CPU the rest of the machine used meanwhile
  double cpu_s = 0;         // user + system of the child
  uint64_t maxrss_kib = 0;  // the child's peak RSS (getrusage of the child)
  int exit_code = -1;
  std::string out;          // stdout, when captured
};

// Runs argv[0] (looked up in PATH) in `cwd`, waits, returns timing and usage.
// stdout is captured when capture_stdout, else sent to /dev/null.
ChildRun run_child(const std::vector<std::string>& argv, const std::string& cwd,
                   bool capture_stdout);

// Samples VmRSS and RssAnon of this process every `period_ms` on a thread
// and keeps the peaks. /proc has no peak for anonymous memory, so we sample.
class MemorySampler {
 public:
  explicit MemorySampler(unsigned period_ms = 5);
  ~MemorySampler();
  uint64_t peak_anon_kib() const { return peak_anon_kib_.load(); }
  static uint64_t status_kib(const char* field);  // e.g. "VmHWM:", "RssAnon:"

 private:
  void sample();
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> peak_anon_kib_{0};
  std::thread thread_;
  unsigned period_ms_;
};

double median(std::vector<double> v);
double load_average_1min();

}  // namespace bc::bench
