#include "bench/bench_support.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "netsim/realistic/realistic_tree.hpp"

namespace bc::bench {

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

constexpr size_t kIoBytes = 1 << 20;

void write_file_bytes(const std::string& path, uint64_t size, SplitMix64& rng, int flags) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
  if (fd < 0) die("open " + path);
  std::vector<uint8_t> buf(kIoBytes);
  for (uint64_t done = 0; done < size;) {
    size_t n = size_t(std::min<uint64_t>(buf.size(), size - done));
    rng.fill(buf.data(), n);
    if (::write(fd, buf.data(), n) != ssize_t(n)) die("write " + path);
    done += n;
  }
  ::close(fd);
}

}  // namespace

uint64_t parse_size(const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || v < 0) return 0;
  std::string unit(end);
  uint64_t mul = 1;
  if (unit == "K" || unit == "KiB" || unit == "k") mul = 1ull << 10;
  else if (unit == "M" || unit == "MiB") mul = 1ull << 20;
  else if (unit == "G" || unit == "GiB") mul = 1ull << 30;
  else if (!unit.empty()) return 0;
  return uint64_t(v * double(mul));
}

size_t Tree::large_count() const {
  return size_t(std::count_if(files.begin(), files.end(), [](const TreeFile& f) { return f.large; }));
}

bool parse_tree_content(const std::string& text, TreeSpec* spec) {
  if (text == "random") spec->content = TreeContent::random;
  else if (text == "realistic") spec->content = TreeContent::realistic;
  else return false;
  return true;
}

namespace {

// A subset of the cached root of about spec.total_bytes, listed as a Tree.
Tree realistic_tree(const std::string& root, const TreeSpec& spec) {
  namespace fs = std::filesystem;
  netsim::SubsetOptions o;
  auto roots = netsim::find_realistic_roots(spec.roots_dir);
  if (roots.ok()) {
    o.root = roots->v1;
    if (roots->usr_fallback) std::fprintf(stderr, "bench: WARNING: the roots cache holds the /usr fallback\n");
  } else {
    std::fprintf(stderr, "bench: WARNING: %s; using /usr/bin\n", std::string(roots.status().message()).c_str());
    o.root = "/usr", o.subtree = "bin";
  }
  uint64_t source_bytes = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(fs::path(o.root) / o.subtree, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) source_bytes += it->file_size(ec);
  o.fraction = source_bytes == 0 ? 1.0 : std::min(1.0, double(spec.total_bytes) / double(source_bytes));
  auto st = netsim::copy_subset(o, root);
  if (!st.ok()) {
    std::fprintf(stderr, "bench: %s\n", st.status().to_string().c_str());
    std::exit(1);
  }
  Tree t;
  t.root = root;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file() || it->is_symlink()) continue;
    const uint64_t size = it->file_size();
    t.files.push_back({it->path().lexically_relative(root).string(), size, size >= (4u << 20)});
    t.total_bytes += size;
  }
  return t;
}

}  // namespace

Tree generate_tree(const std::string& root, const TreeSpec& spec) {
  namespace fs = std::filesystem;
  if (spec.content == TreeContent::realistic) {
    if (fs::exists(root)) {
      errno = EEXIST;
      die(root);
    }
    return realistic_tree(root, spec);
  }
  if (fs::exists(root)) {
    errno = EEXIST;
    die(root);
  }
  Tree t;
  t.root = root;
  SplitMix64 rng(spec.seed);
  const uint64_t large_total = uint64_t(double(spec.total_bytes) * spec.large_share);
  fs::create_directories(root + "/images");
  for (unsigned i = 0; i < spec.large_files && large_total > 0; ++i) {
    uint64_t size = large_total / spec.large_files + (i == 0 ? large_total % spec.large_files : 0);
    t.files.push_back({"images/disk-" + std::to_string(i) + ".img", size, true});
  }
  const double lo = std::log(double(spec.small_min_bytes));
  const double hi = std::log(double(spec.small_max_bytes));
  uint64_t small_left = spec.total_bytes - large_total;
  for (size_t i = 0; small_left > 0; ++i) {
    uint64_t size = std::min<uint64_t>(small_left, uint64_t(std::exp(lo + (hi - lo) * rng.unit())));
    char rel[64];
    std::snprintf(rel, sizeof rel, "files/d%04zu/f%06zu.bin", i / 256, i);
    t.files.push_back({rel, size, false});
    small_left -= size;
  }
  for (const auto& f : t.files) {
    fs::create_directories(fs::path(root + "/" + f.rel).parent_path());
    write_file_bytes(root + "/" + f.rel, f.size, rng, O_TRUNC);
    t.total_bytes += f.size;
  }
  return t;
}

void rewrite_range(const std::string& path, uint64_t offset, uint64_t len, SplitMix64& rng) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) die("open " + path);
  std::vector<uint8_t> buf(size_t(std::min<uint64_t>(len, kIoBytes)));
  for (uint64_t done = 0; done < len;) {
    size_t n = size_t(std::min<uint64_t>(buf.size(), len - done));
    rng.fill(buf.data(), n);
    if (::pwrite(fd, buf.data(), n, off_t(offset + done)) != ssize_t(n)) die("pwrite " + path);
    done += n;
  }
  ::close(fd);
}

void write_random_file(const std::string& path, uint64_t size, SplitMix64& rng) {
  write_file_bytes(path, size, rng, O_TRUNC);
}

double read_all(const Tree& tree) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<uint8_t> buf(kIoBytes);
  for (const auto& f : tree.files) {
    int fd = ::open((tree.root + "/" + f.rel).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) die("open " + f.rel);
    while (::read(fd, buf.data(), buf.size()) > 0) {
    }
    ::close(fd);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void remove_tree(const std::string& root) {
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
}

ChildRun run_child(const std::vector<std::string>& argv, const std::string& cwd,
                   bool capture_stdout) {
  int fds[2] = {-1, -1};
  if (capture_stdout && ::pipe2(fds, O_CLOEXEC) != 0) die("pipe");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const CpuTimes c0 = machine_cpu_times();
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) _exit(126);
    int out = capture_stdout ? fds[1] : ::open("/dev/null", O_WRONLY);
    ::dup2(out, 1);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  ChildRun r;
  if (capture_stdout) {
    ::close(fds[1]);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) r.out.append(buf, size_t(n));
    ::close(fds[0]);
  }
  int status = 0;
  rusage ru{};
  while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_s = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  r.maxrss_kib = uint64_t(ru.ru_maxrss);
  r.others_cpu_s = std::max(0.0, machine_cpu_times().busy_s - c0.busy_s - r.cpu_s);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

MemorySampler::MemorySampler(unsigned period_ms) : period_ms_(period_ms) {
  sample();
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      sample();
      std::this_thread::sleep_for(std::chrono::milliseconds(period_ms_));
    }
  });
}

MemorySampler::~MemorySampler() {
  stop_ = true;
  thread_.join();
}

void MemorySampler::sample() {
  uint64_t a = status_kib("RssAnon:");
  if (a > peak_anon_kib_.load()) peak_anon_kib_ = a;
}

uint64_t MemorySampler::status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line))
    if (line.compare(0, n, field) == 0) return std::strtoull(line.c_str() + n, nullptr, 10);
  return 0;
}

CpuTimes machine_cpu_times() {
  CpuTimes t;
  FILE* f = std::fopen("/proc/stat", "r");
  if (!f) return t;
  unsigned long long v[8] = {};
  if (std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                  &v[4], &v[5], &v[6], &v[7]) == 8) {
    const double hz = double(::sysconf(_SC_CLK_TCK));
    unsigned long long total = 0;
    for (auto x : v) total += x;
    t.total_s = double(total) / hz;
    t.busy_s = double(total - v[3] - v[4]) / hz;  // minus idle and iowait
  }
  std::fclose(f);
  return t;
}

double wait_for_idle(double idle_share, double max_wait_s) {
  auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    CpuTimes a = machine_cpu_times();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CpuTimes b = machine_cpu_times();
    const double total = b.total_s - a.total_s;
    const double idle = total > 0 ? 1.0 - (b.busy_s - a.busy_s) / total : 0;
    if (idle >= idle_share ||
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >= max_wait_s)
      return idle;
  }
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double load_average_1min() {
  double l = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &l) != 1) l = 0;
    std::fclose(f);
  }
  return l;
}

}  // namespace bc::bench
