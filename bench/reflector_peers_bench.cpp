// Memory of a real bc-reflector process serving many peers at once (issue #4:
// <= 256 MiB of private memory with 50 peers). bench/reflector_memory_bench.sh
// starts the tracker and the reflector, lets the reflector cache a layer, and
// fetches the tracker-signed manifest and torrent over the admin API; this
// program verifies them with the tracker's public key, then runs N SwarmNodes
// in download mode (one libtorrent session each, all owned by this thread),
// each bound to its own loopback address inside the reflector's branch
// subnets and dialing only the reflector over TCP, as LAN endpoints do. It
// samples the reflector's /proc/PID/status every --sample-ms until every node
// holds the whole layer:
//   RssAnon  private memory, what the budget is about;
//   RssFile  mapped file pages (libtorrent memory-maps the payload it serves:
//            page cache, shared, reclaimable), for contrast;
//   VmHWM    the kernel's peak RSS.
// The reference is the reflector's RssAnon just before the first peer dials.
// The downloaders' payload lives under --work and is deleted at the end.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "layers/crypto/ed25519.hpp"
#include "layers/model/trusted_manifest.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "layers/util/fs.hpp"

namespace fs = std::filesystem;
using namespace bc;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string manifest_file, signature_file, torrent_file, tracker_key;
  std::string reflector;           // IP:PORT
  int reflector_pid = 0;
  int peers = 50;
  std::string ip_prefix = "127.1.1.";  // peer i listens on <prefix><i+1>
  std::string lan_subnet = "127.1.0.0/16";
  std::string work;
  int timeout_s = 900;
  int sample_ms = 200;
  int64_t budget_mib = 256;
};

struct Mem {
  long anon_kib = -1, file_kib = 0, hwm_kib = 0, threads = 0;
};

// The reflector's memory now; anon_kib -1 when it is gone.
Mem read_mem(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  Mem m;
  std::string key;
  long v = 0;
  while (in >> key) {
    if (key == "RssAnon:" && in >> v) m.anon_kib = v;
    else if (key == "RssFile:" && in >> v) m.file_kib = v;
    else if (key == "VmHWM:" && in >> v) m.hwm_kib = v;
    else if (key == "Threads:" && in >> v) m.threads = v;
  }
  return m;
}

// Samples a process's memory every period_ms on its own thread and keeps the
// peaks, until stop().
class ReflectorSampler {
 public:
  struct Peak {
    Mem mem;
    double anon_at_s = 0;
    long samples = 0;
  };
  ReflectorSampler(int pid, Mem start, int period_ms, SteadyClock::time_point t0) : pid_(pid) {
    peak_.mem = start;
    thread_ = std::thread([this, period_ms, t0] {
      auto next = SteadyClock::now();
      while (!stop_.load()) {
        const Mem m = read_mem(pid_);
        if (m.anon_kib < 0) {
          gone_.store(true);
          return;
        }
        const double at_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
        std::lock_guard<std::mutex> lock(mu_);
        ++peak_.samples;
        if (m.anon_kib > peak_.mem.anon_kib) peak_.mem.anon_kib = m.anon_kib, peak_.anon_at_s = at_s;
        peak_.mem.file_kib = std::max(peak_.mem.file_kib, m.file_kib);
        peak_.mem.hwm_kib = std::max(peak_.mem.hwm_kib, m.hwm_kib);
        peak_.mem.threads = std::max(peak_.mem.threads, m.threads);
        // A late wake-up (loaded machine) restarts the period rather than
        // bursting samples to catch up.
        next = std::max(next + std::chrono::milliseconds(period_ms), SteadyClock::now());
        std::this_thread::sleep_until(next);
      }
    });
  }
  ~ReflectorSampler() { stop(); }
  bool gone() const { return gone_.load(); }
  Peak stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    return peak_;
  }

 private:
  int pid_;
  std::atomic<bool> stop_{false}, gone_{false};
  std::mutex mu_;
  Peak peak_;
  std::thread thread_;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "reflector_peers_bench: %s\n", what.c_str());
  std::exit(1);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

TrustedManifest verified_manifest(const Args& a) {
  auto pk = public_key_from_hex(trim(a.tracker_key));
  auto sig = signature_from_hex(trim(slurp(a.signature_file)));
  if (!pk.ok() || !sig.ok()) die("bad tracker key or signature hex");
  auto t = TrustedManifest::verify(slurp(a.manifest_file), *sig, *pk);
  if (!t.ok()) die("manifest does not verify with the tracker key: " + t.status().to_string());
  return std::move(*t);
}

struct Peer {
  std::unique_ptr<SwarmNode> node;
  bool complete = false;
  double done_s = 0;
  BytesBySource got;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int run(const Args& a) {
  TrustedManifest layer = verified_manifest(a);
  const std::string torrent = slurp(a.torrent_file);
  const LayerRef ref = layer.manifest().ref();
  uint64_t payload = 0;
  for (const auto& e : layer.manifest().entries) payload += e.size;
  const size_t colon = a.reflector.rfind(':');
  if (colon == std::string::npos) die("--reflector wants IP:PORT");
  const std::string rip = a.reflector.substr(0, colon);
  const auto rport = uint16_t(std::stoi(a.reflector.substr(colon + 1)));

  std::vector<Peer> peers(size_t(a.peers));
  for (int i = 0; i < a.peers; ++i) {
    const std::string ip = a.ip_prefix + std::to_string(i + 1);
    const std::string dir = a.work + "/peer" + std::to_string(i);
    SwarmNodeOptions o;
    o.data_dir = dir + "/state";
    o.node_name = "peer" + std::to_string(i);
    o.listen_interfaces = ip + ":0";
    o.lan_subnets = {a.lan_subnet};
    o.reflector_ips = {rip};
    o.outgoing_utp = false;  // LAN endpoints dial TCP
    // Small socket buffers: 50 sessions x 4 MiB would only inflate this
    // process; the reflector's own settings are what is measured.
    o.socket_buffer_bytes = 1 << 20;
    auto n = SwarmNode::start(o);
    if (!n.ok()) die(n.status().to_string());
    if (Status s = (*n)->add_layer(layer, torrent, dir + "/payload", LayerMode::download); !s.ok()) die(s.to_string());
    peers[size_t(i)].node = std::move(*n);
  }

  Mem ref_mem = read_mem(a.reflector_pid);
  if (ref_mem.anon_kib < 0) die("no reflector process " + std::to_string(a.reflector_pid));
  // All peers dial at once: the reflector sees N simultaneous downloaders.
  for (auto& p : peers)
    if (Status s = p.node->add_peer(ref, rip, rport); !s.ok()) die(s.to_string());
  const auto t0 = SteadyClock::now();
  // Sampling runs on its own thread: one round of poll_events over 50
  // sessions can take longer than the sampling period on a loaded machine.
  ReflectorSampler sampler(a.reflector_pid, ref_mem, a.sample_ms, t0);
  int complete = 0;
  while (complete < a.peers && SteadyClock::now() - t0 < std::chrono::seconds(a.timeout_s) && !sampler.gone()) {
    const double now_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    for (auto& p : peers)
      for (const auto& e : p.node->poll_events(0))
        if (const auto* c = std::get_if<LayerComplete>(&e); c && !p.complete) {
          p.complete = true;
          p.done_s = now_s;
          p.got = c->downloaded;
          ++complete;
        }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const double window_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  const ReflectorSampler::Peak peak = sampler.stop();
  if (sampler.gone()) die("the reflector exited during the run");
  if (complete < a.peers) die(std::to_string(complete) + " of " + std::to_string(a.peers) + " peers complete after " +
                              std::to_string(a.timeout_s) + " s");
  // A last look once the transfers are over: is the memory given back?
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const Mem after = read_mem(a.reflector_pid);

  BytesBySource sum;
  std::vector<double> done;
  for (const auto& p : peers) {
    sum.origin_wan += p.got.origin_wan, sum.reflector += p.got.reflector, sum.branch_peer += p.got.branch_peer;
    done.push_back(p.done_s);
  }
  const double last_s = *std::max_element(done.begin(), done.end());
  const double mib = 1024.0 * 1024.0;
  const long budget_kib = long(a.budget_mib) * 1024;
  std::printf("== reflector serving %d peers at once: %s, %llu bytes (%.0f MiB), TCP over loopback\n", a.peers,
              ref.to_string().c_str(), (unsigned long long)payload, double(payload) / mib);
  std::printf("RssAnon reference (before the peers dial)  %7ld KiB\n", ref_mem.anon_kib);
  std::printf("RssAnon peak                               %7ld KiB at %.1f s = %.2fx the reference; %.3f of the %lld MiB budget (%s)\n",
              peak.mem.anon_kib, peak.anon_at_s, double(peak.mem.anon_kib) / double(ref_mem.anon_kib),
              double(peak.mem.anon_kib) / double(budget_kib), (long long)a.budget_mib,
              peak.mem.anon_kib <= budget_kib ? "within" : "EXCEEDED");
  std::printf("RssAnon 2 s after the last peer completed  %7ld KiB\n", after.anon_kib);
  std::printf("RssFile peak (mapped payload, page cache)  %7ld KiB\n", peak.mem.file_kib);
  std::printf("VmHWM (peak RSS)                           %7ld KiB\n", peak.mem.hwm_kib);
  std::printf("threads (peak)                             %7ld\n", peak.mem.threads);
  std::printf("samples %ld every %d ms over %.1f s\n", peak.samples, a.sample_ms, window_s);
  std::printf("peers complete: first %.1f s, median %.1f s, last %.1f s\n", *std::min_element(done.begin(), done.end()),
              median(done), last_s);
  std::printf("bytes received: from the reflector %.0f MiB (%.2fx payload x peers), other %.0f MiB\n",
              double(sum.reflector) / mib, double(sum.reflector) / (double(payload) * a.peers),
              double(sum.origin_wan + sum.branch_peer) / mib);
  std::printf("reflector aggregate upload rate: %.0f MiB/s (%.1f MiB/s per peer)\n",
              double(sum.reflector) / mib / last_s, double(sum.reflector) / mib / last_s / a.peers);
  peers.clear();  // sessions close (bounded by SwarmNode's own shutdown waits)
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  CLI::App app{"a real bc-reflector's private memory while N peers download a layer from it"};
  app.add_option("--manifest", a.manifest_file, "the tracker's manifest bytes (GET .../manifest)")->required();
  app.add_option("--signature", a.signature_file, "file with its X-BC-Signature hex")->required();
  app.add_option("--torrent", a.torrent_file, "the layer's torrent (GET .../torrent)")->required();
  app.add_option("--tracker-key", a.tracker_key, "tracker public key, 64 hex")->required();
  app.add_option("--reflector", a.reflector, "the reflector's listen address IP:PORT")->required();
  app.add_option("--reflector-pid", a.reflector_pid, "its process id, sampled in /proc")->required();
  app.add_option("--peers", a.peers, "downloaders")->capture_default_str()->check(CLI::Range(1, 250));
  app.add_option("--ip-prefix", a.ip_prefix, "peer i listens on PREFIX<i+1>")->capture_default_str();
  app.add_option("--lan-subnet", a.lan_subnet, "the branch subnet (peers and reflector inside)")->capture_default_str();
  app.add_option("--work", a.work, "scratch dir for the peers' payload (deleted)")->required();
  app.add_option("--timeout-s", a.timeout_s, "give up after")->capture_default_str();
  app.add_option("--sample-ms", a.sample_ms, "sampling period")->capture_default_str();
  app.add_option("--budget-mib", a.budget_mib, "private memory budget")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  std::error_code ec;
  if (fs::exists(a.work, ec)) die(a.work + " exists; give a fresh directory");
  fs::create_directories(a.work, ec);
  int rc = run(a);
  fs::remove_all(a.work, ec);
  return rc;
}
