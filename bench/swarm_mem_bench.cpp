// Memory of a downloading swarm node: private/anonymous memory (RssAnon in
// /proc/PID/status) of a node fetching a layer of SIZE MiB from a seed in
// another process over loopback (TCP). RSS alone misleads: libtorrent's disk
// backend memory-maps the payload, so file pages show up in RSS as page cache.
//
//   swarm_mem_bench [SIZE_MIB=1024] [WORK_DIR=$TMPDIR or /tmp]
//   (BC_BENCH_UTP=1 in the environment: the downloader dials uTP instead of TCP;
//    BC_BENCH_RESUME_EVERY_PIECES=N, BC_BENCH_RESUME_INTERVAL_MS=MS: its resume-save
//    triggers; defaults those of SwarmNodeOptions)
//
// Also times a full recheck of the downloaded payload: the cost of restarting
// after an unclean shutdown (layers/swarm/swarm_node.hpp).
//
// Prints the downloader's RssAnon before the session started (the reference),
// its peak during the download, the peak RSS, the seed's peak RssAnon, and
// the transfer time. docs/benchmarks.md ("Swarm node memory") has results.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "layers/capture/capture.hpp"
#include "layers/capture/pack_bins.hpp"
#include "layers/crypto/ed25519.hpp"
#include "layers/model/layer_dir.hpp"
#include "layers/swarm/swarm_node.hpp"

extern char** environ;
using namespace bc;
namespace fs = std::filesystem;

namespace {

// kB values of "RssAnon:" and "VmRSS:" of this process.
std::pair<long, long> rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string key;
  long anon = 0, rss = 0, v = 0;
  while (in >> key) {
    if (key == "RssAnon:" && in >> v) anon = v;
    else if (key == "VmRSS:" && in >> v) rss = v;
  }
  return {anon, rss};
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "swarm_mem_bench: %s\n", what.c_str());
  std::exit(1);
}

void write_random_file(const std::string& path, uint64_t bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  std::mt19937_64 rng(42);
  std::vector<uint64_t> buf(1 << 17);  // 1 MiB
  for (uint64_t done = 0; done < bytes; done += buf.size() * 8) {
    for (auto& w : buf) w = rng();
    out.write(reinterpret_cast<const char*>(buf.data()), std::streamsize(std::min<uint64_t>(bytes - done, buf.size() * 8)));
  }
}

// Child: the downloader. argv: --child WORK LAYER_DIR PUBKEY SEED_PORT
int run_child(char** argv) {
  const std::string work = argv[2];
  auto dir = load_layer_dir(argv[3]);
  auto pk = public_key_from_hex(argv[4]);
  if (!dir.ok() || !pk.ok()) die("child: cannot load layer");
  auto trusted = dir->trust(*pk);
  if (!trusted.ok()) die(trusted.status().to_string());
  const long base_anon = rss_kib().first;
  SwarmNodeOptions o;
  o.data_dir = work + "/dl-state";
  o.listen_interfaces = "127.0.0.3:0";
  o.outgoing_interfaces = "127.0.0.3";
  o.lan_subnets = {"127.0.0.0/24"};
  o.outgoing_utp = std::getenv("BC_BENCH_UTP") != nullptr;  // default: TCP, as a LAN endpoint
  // BC_BENCH_RESUME_EVERY_PIECES / BC_BENCH_RESUME_INTERVAL_MS: the node's
  // resume-save triggers, to tell the saves' memory apart from the session's
  // own (docs/benchmarks.md, "Endpoint and reflector memory").
  if (const char* v = std::getenv("BC_BENCH_RESUME_EVERY_PIECES")) o.resume_every_pieces = std::atoi(v);
  if (const char* v = std::getenv("BC_BENCH_RESUME_INTERVAL_MS")) o.resume_interval_ms = std::atoi(v);
  auto node = SwarmNode::start(o);
  if (!node.ok()) die(node.status().to_string());
  auto t0 = std::chrono::steady_clock::now();
  Status s = (*node)->add_layer(*trusted, dir->torrent, work + "/dl-payload", LayerMode::download);
  if (s.ok()) s = (*node)->add_peer(trusted->manifest().ref(), "127.0.0.2", uint16_t(std::atoi(argv[5])));
  if (!s.ok()) die(s.to_string());
  long peak_anon = 0, peak_rss = 0;
  bool complete = false;
  while (!complete && std::chrono::steady_clock::now() - t0 < std::chrono::minutes(5)) {
    for (const auto& e : (*node)->poll_events(100)) complete = complete || std::holds_alternative<LayerComplete>(e);
    auto [anon, rss] = rss_kib();
    peak_anon = std::max(peak_anon, anon);
    peak_rss = std::max(peak_rss, rss);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // What an unclean restart costs: a full recheck of the payload (page cache warm).
  auto r0 = std::chrono::steady_clock::now();
  bool checked = false;
  if (complete && (*node)->force_recheck(trusted->manifest().ref()).ok())
    while (!checked && std::chrono::steady_clock::now() - r0 < std::chrono::minutes(2))
      for (const auto& e : (*node)->poll_events(100)) checked = checked || std::holds_alternative<LayerChecked>(e);
  double recheck_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
  std::printf("%d %ld %ld %ld %.3f %.3f\n", complete ? 1 : 0, base_anon, peak_anon, peak_rss, secs, checked ? recheck_s : -1.0);
  return complete ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--child") return run_child(argv);
  const uint64_t size_mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1024;
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string base = argc > 2 ? argv[2] : (tmpdir && *tmpdir ? tmpdir : "/tmp");
  const std::string work = base + "/bc-swarm-mem-" + std::to_string(::getpid());
  fs::create_directories(work);
  write_random_file(work + "/src/disk.img", size_mib << 20);
  std::ofstream(work + "/src/README") << "swarm memory bench\n";

  CaptureOptions co;
  co.source_dir = work + "/src";
  co.ref = {"membench", 1};
  auto layer = capture_layer(co);
  if (!layer.ok()) die(layer.status().to_string());
  auto key = SecretKey::generate();
  std::string bytes = layer->manifest.encode();
  Signature sig = key.sign({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  auto trusted = TrustedManifest::verify(bytes, sig, key.public_key());
  if (!trusted.ok() || !write_built_layer(work + "/layer", layer->manifest, bytes, layer->torrent, work + "/src").ok() ||
      !write_layer_signature(work + "/layer", sig).ok())
    die("cannot write the layer");

  SwarmNodeOptions so;
  so.data_dir = work + "/seed-state";
  so.listen_interfaces = "127.0.0.2:0";
  so.outgoing_interfaces = "127.0.0.2";
  so.lan_subnets = {"127.0.0.0/24"};
  auto seed = SwarmNode::start(so);
  if (!seed.ok()) die(seed.status().to_string());
  if (Status s = (*seed)->add_layer(*trusted, layer->torrent, work + "/src", LayerMode::seed, work + "/layer/pack"); !s.ok()) die(s.to_string());

  int fds[2];
  if (::pipe(fds) != 0) die("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  std::vector<std::string> args = {"/proc/self/exe", "--child", work, work + "/layer", public_key_hex(key.public_key()),
                                   std::to_string((*seed)->listen_port())};
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, cargv.data(), environ) != 0) die("spawn");
  ::close(fds[1]);
  std::string out;
  long seed_peak_anon = 0;
  for (;;) {
    (*seed)->poll_events(0);
    seed_peak_anon = std::max(seed_peak_anon, rss_kib().first);
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      char buf[256];
      ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, size_t(n));
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  int complete = 0;
  long base_anon = 0, peak_anon = 0, peak_rss = 0;
  double secs = 0, recheck_s = 0;
  if (std::sscanf(out.c_str(), "%d %ld %ld %ld %lf %lf", &complete, &base_anon, &peak_anon, &peak_rss, &secs, &recheck_s) != 6 ||
      !complete)
    die("download failed: " + out);
  std::printf("layer %llu MiB (v2, %u KiB pieces), %s over loopback, 1 seed -> 1 downloader\n",
              (unsigned long long)size_mib, co.piece_bytes / 1024, std::getenv("BC_BENCH_UTP") ? "uTP" : "TCP");
  std::printf("downloader RssAnon before session (reference): %ld KiB\n", base_anon);
  std::printf("downloader RssAnon peak:                       %ld KiB (+%ld KiB, %.4f of payload)\n", peak_anon,
              peak_anon - base_anon, double(peak_anon - base_anon) * 1024.0 / double(size_mib << 20));
  std::printf("downloader VmRSS peak (includes mapped file pages): %ld KiB (%.2fx RssAnon peak)\n", peak_rss,
              double(peak_rss) / double(std::max(peak_anon, 1L)));
  std::printf("seed process RssAnon peak (incl. capture buffers): %ld KiB\n", seed_peak_anon);
  std::printf("transfer: %.2f s, %.0f MiB/s (CPU-bound; shared machine: see load)\n", secs, double(size_mib) / secs);
  std::printf("full recheck of the downloaded payload (page cache warm): %.2f s, %.0f MiB/s\n", recheck_s,
              double(size_mib) / recheck_s);
  seed->reset();
  fs::remove_all(work);
  return 0;
}
