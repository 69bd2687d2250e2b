// Apply throughput against references measured in the same run:
//   copy+fsync  — read every payload file and write it to a fresh tree, fsync each
//                 (what any installer has to do at least);
//   hash        — the BEP 52 merkle hashing of every payload byte (what verification costs).
// Then: apply to an empty target, re-apply of the same stack (stamps only), apply
// of a version where 2% of the files changed, and rollback.
// Usage: bc-apply-bench [TOTAL_MIB=256] [FILES=2000] [DIR=$TMPDIR]
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "layers/apply/applier.hpp"
#include "layers/capture/capture.hpp"
#include "layers/crypto/sha256.hpp"

namespace fs = std::filesystem;
using namespace bc;
using clk = std::chrono::steady_clock;

static double secs_since(clk::time_point t0) {
  return std::chrono::duration<double>(clk::now() - t0).count();
}

static void write_random(const std::string& path, size_t n, std::mt19937_64& rng) {
  fs::create_directories(fs::path(path).parent_path());
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    for (size_t k = 0; k < 8 && i + k < n; ++k) s[i + k] = char(v >> (8 * k));
  }
  std::ofstream(path, std::ios::binary) << s;
}

static int die(const Status& s) {
  std::fprintf(stderr, "apply_bench: %s\n", s.to_string().c_str());
  return 1;
}

struct Layer {
  std::unique_ptr<TrustedManifest> tm;
  std::string payload;
};

static Result<Layer> build(const std::string& src, int64_t version) {
  CaptureOptions o;
  o.source_dir = src;
  o.ref = {"bench", version};
  BC_ASSIGN_OR_RETURN(CapturedLayer l, capture_layer(o));
  SecretKey k = SecretKey::generate();
  std::string bytes = l.manifest.encode();
  Signature sig = k.sign({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  BC_ASSIGN_OR_RETURN(TrustedManifest tm, TrustedManifest::verify(bytes, sig, k.public_key()));
  return Layer{std::make_unique<TrustedManifest>(std::move(tm)), src};
}

static double copy_fsync(const std::string& from, const std::string& to) {
  auto t0 = clk::now();
  std::vector<char> buf(1 << 20);
  for (auto& e : fs::recursive_directory_iterator(from)) {
    std::string rel = e.path().string().substr(from.size());
    if (e.is_directory()) {
      fs::create_directories(to + rel);
      continue;
    }
    int in = ::open(e.path().c_str(), O_RDONLY),
        out = ::open((to + rel).c_str(), O_WRONLY | O_CREAT, 0644);
    ssize_t n;
    while ((n = ::read(in, buf.data(), buf.size())) > 0)
      if (::write(out, buf.data(), size_t(n)) != n) std::abort();
    ::fsync(out);
    ::close(in);
    ::close(out);
  }
  return secs_since(t0);
}

int main(int argc, char** argv) {
  uint64_t total_mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 256;
  size_t files = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 2000;
  const char* tmp = std::getenv("TMPDIR");
  std::string base = argc > 3 ? argv[3] : (tmp && *tmp ? tmp : "/tmp");
  std::string dir = base + "/bc-apply-bench-" + std::to_string(::getpid());
  std::mt19937_64 rng(42);
  size_t per_file = size_t(total_mib << 20) / files;
  for (size_t i = 0; i < files; ++i)
    write_random(dir + "/v1/d" + std::to_string(i % 50) + "/f" + std::to_string(i), per_file, rng);
  fs::copy(dir + "/v1", dir + "/v2", fs::copy_options::recursive);
  for (size_t i = 0; i < files; i += 50)
    write_random(dir + "/v2/d" + std::to_string(i % 50) + "/f" + std::to_string(i), per_file, rng);
  double mib = double(total_mib);

  double t_copy = copy_fsync(dir + "/v1", dir + "/copy");
  auto t0 = clk::now();
  for (auto& e : fs::recursive_directory_iterator(dir + "/v1"))
    if (e.is_regular_file() && !hash_file(e.path().string(), kDefaultPieceBytes).ok()) return 1;
  double t_hash = secs_since(t0);

  auto v1 = build(dir + "/v1", 1);
  if (!v1.ok()) return die(v1.status());
  auto v2 = build(dir + "/v2", 2);
  if (!v2.ok()) return die(v2.status());
  fs::create_directories(dir + "/target");
  ApplyOptions o;
  o.root = dir + "/target";
  auto timed = [&](auto&& f) {
    auto t = clk::now();
    Status s = f();
    if (!s.ok()) std::exit(die(s));
    return secs_since(t);
  };
  double t_apply = timed([&] { return apply_stack(o, {{v1->tm.get(), v1->payload}}).status(); });
  double t_reapply = timed([&] { return apply_stack(o, {{v1->tm.get(), v1->payload}}).status(); });
  double t_update = timed([&] { return apply_stack(o, {{v2->tm.get(), v2->payload}}).status(); });
  double t_rollback = timed([&] { return rollback_target(o).status(); });

  std::printf("tree: %zu files, %llu MiB; 1 core per step\n", files, (unsigned long long)total_mib);
  std::printf("reference copy+fsync     %7.2f s  %7.1f MiB/s\n", t_copy, mib / t_copy);
  std::printf("reference hash           %7.2f s  %7.1f MiB/s\n", t_hash, mib / t_hash);
  std::printf("apply (empty target)     %7.2f s  %7.1f MiB/s  = %.2fx copy+fsync time\n", t_apply,
              mib / t_apply, t_apply / t_copy);
  std::printf("re-apply (no change)     %7.2f s              = %.3fx copy+fsync time\n", t_reapply,
              t_reapply / t_copy);
  std::printf("apply v2 (2%% changed)    %7.2f s              = %.3fx copy+fsync time\n", t_update,
              t_update / t_copy);
  std::printf("rollback to v1           %7.2f s              = %.3fx copy+fsync time\n", t_rollback,
              t_rollback / t_copy);
  fs::remove_all(dir);
  return 0;
}
