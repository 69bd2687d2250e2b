// End to end (label e2e): what crosses the wire. A layer's content carries a
// marker string; a packet capture of the whole rollout on loopback (tracker
// HTTPS, announces, origin -> reflector -> endpoints swarm) must never hold
// it. The capture is checked to have carried at least the layer's bytes, so
// an empty or broken capture cannot pass.
#include <doctest/doctest.h>

#include "tests/e2e/rollout_checks.hpp"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <csignal>
#include <filesystem>
#include <random>

#include "tests/support/skip.hpp"

using namespace bc;
using namespace bc::test;
namespace fs = std::filesystem;

namespace {

std::string random_marker() {
  std::random_device rd;
  std::string m = "BCMARKER";
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 24; ++i) m += hex[rd() % 16];
  return m;
}

// A tree whose files all carry the marker: an image-like file with it every
// 4 KiB among random bytes (so it spans many pieces), a text file, and small
// files (which bc-layer packs into bins).
uint64_t make_marked_tree(const std::string& dir, const std::string& marker) {
  std::string image = random_bytes(4u << 20, 7);
  for (size_t off = 0; off + marker.size() < image.size(); off += 4096) image.replace(off, marker.size(), marker);
  write_file(dir + "/images/disk.img", image);
  std::string text;
  for (int i = 0; i < 200; ++i) text += "licensed line " + std::to_string(i) + ": " + marker + "\n";
  write_file(dir + "/etc/licence.txt", text);
  uint64_t total = image.size() + text.size();
  for (int i = 0; i < 20; ++i) {
    std::string small = "small " + std::to_string(i) + " " + marker + "\n";
    write_file(dir + "/etc/small/f" + std::to_string(i), small);
    total += small.size();
  }
  return total;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("a marker in a layer's content never appears in a packet capture of the rollout's control and data planes") {
  BC_REQUIRE_ROOT("to capture packets with tcpdump");
  if (!fs::exists("/usr/bin/tcpdump")) BC_SKIP_TEST("tcpdump is not installed (scripts/setup.sh installs it)");
  const std::string marker = random_marker();

  WorldOptions o;
  o.branches = {{"east", 1, 2}};
  RolloutWorld w(o);
  const std::string pcap = w.dir() + "/rollout.pcap";
  ChildProcess capture;
  // Every packet on loopback, whole (-s 0), written as it arrives (-U).
  // A 64 MiB kernel buffer (-B, KiB): the rollout's 64 KiB loopback packets
  // arrive faster than a loaded machine writes them out.
  capture.start({"/usr/bin/tcpdump", "-i", "lo", "-s", "0", "-U", "-n", "-B", "65536", "-w", pcap, "net", "127.0.0.0/8"},
                w.dir() + "/tcpdump.log");
  REQUIRE_MESSAGE(eventually([&] { return contains(read_file(w.dir() + "/tcpdump.log"), "listening on"); }, 10'000, 50),
                  "tcpdump did not start: " << read_file(w.dir() + "/tcpdump.log"));

  const std::string tree = w.dir() + "/tree-marked";
  const uint64_t layer_bytes = make_marked_tree(tree, marker);
  w.publish(tree, "licensed", 1, "app");
  give_users_files(w);
  w.assign_branch("east", {"licensed@1"});
  w.start_all();
  WAIT_OR_FAIL(w, w.all_applied({"licensed@1"}), kRolloutTimeoutMs, "the layer was not applied everywhere");
  for (Node* n : w.endpoints()) {
    // The content did arrive, marker and all: the capture saw real transfers.
    CHECK(contains(read_file(n->root + "/etc/licence.txt"), marker));
  }

  // tcpdump writes behind the traffic and discards, at SIGINT, what it has
  // received but not yet written: let the file stop growing first.
  uint64_t last = 0;
  eventually([&] {
    std::error_code ec;
    const uint64_t now = fs::file_size(pcap, ec);
    const bool settled = !ec && now == last && now > 0;
    last = ec ? 0 : now;
    return settled;
  }, 30'000, 1000);
  ::kill(capture.pid(), SIGINT);  // tcpdump flushes and closes the file on SIGINT
  REQUIRE(eventually([&] { return !capture.running(); }, 10'000, 50));
  const std::string captured = read_file(pcap);
  MESSAGE("captured " << captured.size() << " bytes on loopback for " << layer_bytes
                      << " layer bytes delivered to 1 reflector and 2 endpoints; tcpdump: "
                      << read_file(w.dir() + "/tcpdump.log"));
  // Three copies crossed lo (origin -> reflector -> 2 endpoints); under load
  // the kernel may drop some captured packets (tcpdump's log counts them),
  // so the check asks for one whole copy: the capture saw the transfers.
  CHECK(captured.size() >= layer_bytes);
  CHECK_MESSAGE(!contains(captured, marker), "the marker " << marker << " crossed the wire in clear");
}
