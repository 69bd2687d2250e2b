// The cost of TLS between peers (SSL torrents) on a loopback swarm: one seed
// and N downloaders (SwarmNodes in this process, each on its own 127.0.0.x),
// the same layer plain and then SSL, in one run. Reports, per mode, the
// process's CPU seconds (getrusage: every node's network and disk threads)
// per GiB delivered to the downloaders and the wall time, then the SSL/plain
// ratio (docs/benchmarks.md, "TLS between peers"; goal <= 1.3x).
//
//   bc-bench-swarm-tls [--size 1G] [--peers 8] [--utp] [--dir DIR]
#include <sys/resource.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "layers/capture/capture.hpp"
#include "layers/capture/pack_bins.hpp"
#include "layers/crypto/ed25519.hpp"
#include "layers/pki/pki.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "layers/torrent/ssl_torrent.hpp"

using namespace bc;
namespace fs = std::filesystem;

namespace {

[[noreturn]] void die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "bc-bench-swarm-tls: %s: %s\n", what.c_str(), s.to_string().c_str());
  std::exit(1);
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

TrustedManifest sign(Manifest m, const SecretKey& key) {
  const std::string bytes = m.encode();
  auto t = TrustedManifest::verify(bytes, key.sign({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}),
                                   key.public_key());
  if (!t.ok()) die("sign", t.status());
  return std::move(*t);
}

struct Pki {
  pki::KeyPair ca_key;
  std::string ca;
  std::pair<std::string, std::string> issue(const std::vector<std::string>& names) const {
    auto k = pki::generate_key();
    const int64_t now = std::time(nullptr);
    auto c = pki::issue(ca, ca_key.private_pem, k->public_pem, {"bench", names, {}, now - 60, now + 86400, false});
    if (!c.ok()) die("issue", c.status());
    return {*c, k->private_pem};
  }
};

struct Mode {
  const char* name;
  bool tls;
  TrustedManifest manifest;
  std::string torrent;
};

struct RunCost {
  double cpu_s = 0;
  double wall_s = 0;
};

RunCost run(const Mode& m, const std::string& src, const std::string& dir, int peers, bool utp, const Pki& pki) {
  // The names a certificate needs (a single-file layer: its file's name too).
  auto facts = read_layer_torrent(m.torrent);
  if (!facts.ok()) die("torrent", facts.status());
  const std::vector<std::string> names = ssl_torrent_cert_names(*facts);
  auto start = [&](const std::string& ip, const std::string& name, const std::vector<std::string>& cert_names) {
    SwarmNodeOptions o;
    o.data_dir = dir + "/" + name;
    o.node_name = name;
    o.listen_interfaces = ip + ":0";
    o.insecure_plain_peers = !m.tls;
    o.outgoing_utp = utp;
    o.progress_interval_ms = 1000;
    auto n = SwarmNode::start(o);
    if (!n.ok()) die("start " + name, n.status());
    if (m.tls) {
      auto [cert, key] = pki.issue(cert_names);
      Status s = (*n)->set_certificate(cert, key);
      if (!s.ok()) die("certificate", s);
    }
    return std::move(*n);
  };
  const LayerRef ref = m.manifest.manifest().ref();
  auto seed = start("127.0.0.2", "seed", {"*"});
  Status s = seed->add_layer(m.manifest, m.torrent, src, LayerMode::seed);
  if (!s.ok()) die("seed", s);
  std::vector<std::unique_ptr<SwarmNode>> dls;
  for (int i = 0; i < peers; ++i) dls.push_back(start("127.0.0." + std::to_string(10 + i), "dl" + std::to_string(i), names));
  const double cpu0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < peers; ++i) {
    s = dls[i]->add_layer(m.manifest, m.torrent, dir + "/p" + std::to_string(i), LayerMode::download);
    if (!s.ok()) die("add", s);
    (void)dls[i]->add_peer(ref, "127.0.0.2", seed->listen_port());
    for (int j = 0; j < i; ++j) (void)dls[i]->add_peer(ref, "127.0.0." + std::to_string(10 + j), dls[j]->listen_port());
  }
  std::vector<bool> done(size_t(peers), false);
  int remaining = peers;
  while (remaining > 0) {
    for (const auto& e : seed->poll_events(20))
      if (auto* er = std::get_if<LayerError>(&e)) std::fprintf(stderr, "seed: %s\n", er->reason.c_str());
    for (int i = 0; i < peers; ++i)
      for (const auto& e : dls[i]->poll_events(0))
        if (auto* er = std::get_if<LayerError>(&e)) std::fprintf(stderr, "dl%d: %s\n", i, er->reason.c_str());
        else if (auto* pr = std::get_if<PeerRefused>(&e)) std::fprintf(stderr, "dl%d: %s\n", i, pr->message.c_str());
        else if (std::holds_alternative<LayerComplete>(e) && !done[size_t(i)]) {
          done[size_t(i)] = true;
          --remaining;
        }
    if (std::chrono::steady_clock::now() - t0 > std::chrono::minutes(20)) {
      std::fprintf(stderr, "bc-bench-swarm-tls: %s run did not finish in 20 min\n", m.name);
      std::exit(1);
    }
  }
  RunCost r{cpu_seconds() - cpu0, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
  dls.clear();
  seed.reset();
  for (int i = 0; i < peers; ++i) fs::remove_all(dir + "/p" + std::to_string(i));
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"CPU cost of TLS between peers: 1 seed -> N peers on loopback, plain and SSL torrents"};
  std::string size_text = "1G", dir;
  int peers = 8;
  bool utp = false;
  std::string only;
  app.add_option("--size", size_text, "layer size (e.g. 1G, 256M); default 1G");
  app.add_option("--peers", peers, "downloaders; default 8")->check(CLI::Range(1, 100));
  app.add_flag("--utp", utp, "dial over uTP (default TCP)");
  app.add_option("--only", only, "run one mode (plain or tls), for profiling; default both")
      ->check(CLI::IsMember({"plain", "tls"}));
  app.add_option("--dir", dir, "scratch directory (removed afterwards); default a fresh one in /tmp");
  CLI11_PARSE(app, argc, argv);
  const uint64_t size = bench::parse_size(size_text);
  if (size < (1u << 20)) {
    std::fprintf(stderr, "bc-bench-swarm-tls: --size must be at least 1M\n");
    return 2;
  }
  if (dir.empty()) dir = (fs::temp_directory_path() / ("bc-tls-bench-" + std::to_string(::getpid()))).string();
  fs::create_directories(dir + "/src");
  SplitMix64 rng(7);
  bench::write_random_file(dir + "/src/image.bin", size, rng);

  CaptureOptions co;
  co.source_dir = dir + "/src";
  co.ref = {"bench", 1};
  co.piece_bytes = 512 * 1024;
  co.created_unix_s = 1'800'000'000;
  auto cap = capture_layer(co);
  if (!cap.ok()) die("capture", cap.status());
  Status bins = write_pack_bins(cap->manifest, co.source_dir, payload_bins_dir(co.source_dir));
  if (!bins.ok()) die("bins", bins);
  const SecretKey key = SecretKey::generate();
  Pki pki{*pki::generate_key(), {}};
  const int64_t now = std::time(nullptr);
  auto ca = pki::self_signed_ca(pki.ca_key.private_pem, {"bench CA", {}, {}, now - 60, now + 86400, true});
  if (!ca.ok()) die("ca", ca.status());
  pki.ca = *ca;
  auto ssl_torrent = make_ssl_torrent(cap->torrent, pki.ca);
  if (!ssl_torrent.ok()) die("ssl torrent", ssl_torrent.status());
  Manifest ssl_manifest = cap->manifest;
  ssl_manifest.info_hash = read_layer_torrent(*ssl_torrent)->info_hash;
  const Mode modes[2] = {{"plain", false, sign(cap->manifest, key), cap->torrent},
                         {"tls", true, sign(ssl_manifest, key), *ssl_torrent}};

  const double gib = double(size) * peers / double(1ull << 30);
  RunCost res[2];
  for (int k = 0; k < 2; ++k) {
    if (!only.empty() && only != modes[k].name) continue;
    res[k] = run(modes[k], co.source_dir, dir, peers, utp, pki);
    std::printf("%-5s  %s delivered to %d peers over %s: wall %.2f s, CPU %.2f s, %.2f CPU-s/GiB, %.0f MiB/s\n",
                modes[k].name, human_bytes(size).c_str(), peers, utp ? "uTP" : "TCP", res[k].wall_s, res[k].cpu_s,
                res[k].cpu_s / gib, double(size) * peers / double(1 << 20) / res[k].wall_s);
    std::fflush(stdout);
  }
  if (only.empty())
    std::printf("tls/plain: CPU per GiB %.2fx, wall %.2fx (goal CPU <= 1.3x)\n", res[1].cpu_s / res[0].cpu_s,
              res[1].wall_s / res[0].wall_s);
  fs::remove_all(dir);
  return 0;
}
