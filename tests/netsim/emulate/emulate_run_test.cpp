// `bc-netsim emulate` end to end (root): the default scenario scaled to 1/16
// with the real bc-tracker, bc-reflector and bc-endpoint in namespaces (its
// base layer from the cached Debian roots: the test makes them first with
// scripts/realistic-roots.sh, a no-op when cached). Checks the issue's
// invariants from the run's report.json: every endpoint holds its branch's
// final stack; a branch with a reflector fetches at most 1.03 x its wire new
// content (the torrent bytes it must fetch) down its WAN link; a branch
// without one at most one copy per endpoint (the origin fallback policy); and
// nothing of the run is left.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "layers/util/fs.hpp"
#include "netsim/topo/netns.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/skip.hpp"

namespace bc::netsim {
namespace {

using nlohmann::json;

constexpr int kRunTimeoutS = 270;
// mmdebstrap of two roots when nothing is cached (CI's first run).
constexpr int kRootsTimeoutS = 540;
// The link's BitTorrent stream per byte of new content in a branch with a
// reflector (the bound).
constexpr double kMaxStreamRatio = 1.03;

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in, nullptr, false);
}

// Runs bc-netsim with `args`, killing it after timeout_s; its exit code.
int run_netsim(const std::vector<std::string>& args, const std::string& log, int timeout_s) {
  pid_t pid = ::fork();
  if (pid == 0) {
    FILE* f = std::freopen(log.c_str(), "w", stdout);
    (void)f;
    ::dup2(1, 2);
    std::vector<char*> argv{const_cast<char*>(BC_NETSIM_BIN)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(BC_NETSIM_BIN, argv.data());
    ::_exit(127);
  }
  int status = 0;
  auto exited = [&] { return ::waitpid(pid, &status, WNOHANG) == pid; };
  if (bc::test::eventually(exited, timeout_s * 1000, 200))
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ::kill(pid, SIGTERM);  // the run tears down on SIGTERM: up to 10 s for that, then SIGKILL
  if (!bc::test::eventually(exited, 10'000, 50)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  return -1;
}

TEST_CASE("the default scenario at 1/16 scale: all endpoints complete and WAN bytes stay within the invariants") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  const std::string dir = "/tmp/bc-netsim-emulate-test-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  const std::string run_id = "et" + std::to_string(::getpid() % 100000);
  // The base layer is realistic: make (or find) the Debian roots first.
  const std::string roots_cmd = "timeout " + std::to_string(kRootsTimeoutS) + " bash " BC_REALISTIC_ROOTS_SCRIPT " > " +
                                dir + ".roots.log 2>&1";
  REQUIRE_MESSAGE(std::system(roots_cmd.c_str()) == 0, "scripts/realistic-roots.sh failed: see " << dir << ".roots.log");
  int code = run_netsim({"emulate", std::string(BC_NETSIM_SCENARIOS_DIR) + "/default.toml", "--out", dir, "--scale",
                         "0.0625", "--run-id", run_id, "--no-plots"},
                        dir + ".log", kRunTimeoutS);
  INFO("bc-netsim output: " << dir << ".log; run directory " << dir);
  CHECK(list_netns(netns_name(run_id, "")).empty());
  REQUIRE(code >= 0);
  json run = read_json(dir + "/run.json");
  json report = read_json(dir + "/report.json");
  REQUIRE(report.is_object());
  CHECK(run.value("all_complete", false));
  CHECK(code == 0);

  // Every endpoint completed every layer of its final stack (base@2, app@1).
  const std::set<std::pair<std::string, int>> final_stack = {{"base", 2}, {"app", 1}};
  std::size_t rows = 0;
  for (const json& c : report["completions"]) {
    if (!final_stack.count({c["layer"].get<std::string>(), c["version"].get<int>()})) continue;
    ++rows;
    CHECK_MESSAGE(c["done_ms"].get<long long>() >= 0, c["node"].get<std::string>() << " " << c["layer"].get<std::string>());
  }
  CHECK(rows == 12 * 2);

  // WAN bytes against the content new to each branch, counted from the
  // layers (content.json): raw (manifest bytes the branch did not hold) and
  // wire (the torrent bytes it must fetch, whole 16 KiB blocks: what crosses
  // whether the layout compresses or pads). Three measures against wire:
  // - the nodes' own payload counters (bytes from the origin, padding
  //   excluded): a branch with a reflector fetches each new byte across its
  //   WAN once, so within [0.85, 1.03] x wire (0.947 measured: the wire
  //   count holds the padding the nodes do not count); without one each
  //   endpoint may fetch it (<= 4x);
  // - the link's BitTorrent stream (the emulator's class tally: the bytes the
  //   BitTorrent connections carried, without IP/UDP/uTP headers and without
  //   the tracker's HTTP): what dedup and the swarm moved; a branch with a
  //   reflector stays <= 1.03x wire (1.004x measured);
  // - the link's IP bytes, printed (and bounded loosely): headers (~3.5%)
  //   and the control traffic on top (docs/netsim.md, "WAN bytes at the link").
  json nodes = read_json(dir + "/nodes.json");
  REQUIRE(nodes.is_object());
  for (const json& b : report["branches"]) {
    const std::string name = b["branch"];
    uint64_t nodes_wan = 0;
    for (const json& n : nodes["nodes"])
      if (n.value("name", "").rfind(name + "-", 0) == 0) nodes_wan += n["bytes_by_source"].value("wan", uint64_t{0});
    const double raw = b["raw_new_content_bytes"].get<double>();
    const double wire = b["wire_new_content_bytes"].get<double>();
    REQUIRE(raw > 0);  // the run wrote content.json and the report read it
    REQUIRE(wire > 0);
    const double nodes_ratio = double(nodes_wan) / wire;
    const double link_ratio = b["wan_down_per_wire"];
    const double stream_ratio = b["bt_stream_per_wire"];
    MESSAGE("branch " << name << ": new content raw " << raw << " wire " << wire << " bytes; nodes' WAN payload "
                      << nodes_wan << " = " << nodes_ratio << "x wire; the link's BitTorrent stream "
                      << b["wan_down_bt_stream_bytes"] << " bytes = " << stream_ratio << "x wire, "
                      << b["bt_stream_per_raw"] << "x raw; the WAN link carried " << b["wan_down_bytes"]
                      << " IP bytes = " << link_ratio << "x wire (tracker HTTP " << b["wan_down_tracker_ip_bytes"]
                      << ")");
    CHECK(stream_ratio > 0);  // the class tally ran
    CHECK(b["cross_check_ok"].get<bool>());
    if (name == "c") {  // no reflector: one endpoint holds the branch's origin grant (issue #17)
      CHECK(nodes_ratio >= 0.85);
      CHECK(nodes_ratio <= 1.05);
      CHECK(stream_ratio <= 1.05);
      CHECK(link_ratio <= 1.5);
    } else {
      CHECK(nodes_ratio >= 0.85);  // the bytes did cross, and were counted
      CHECK(nodes_ratio <= 1.03);
      CHECK(stream_ratio >= nodes_ratio);
      CHECK(stream_ratio <= kMaxStreamRatio);
      CHECK(link_ratio <= 1.5);
    }
  }

  // DSCP (issue #17): the BitTorrent data packets the WAN links carried have
  // the default policy's mark, Lower-Effort (DSCP 1). All but the client
  // flights of TLS handshakes on outgoing TCP connections (branch c's
  // endpoints dialing the origin): libtorrent 2.0.8 marks an outgoing TCP
  // socket only once its connection, TLS handshake included, has completed,
  // and offers no hook between the socket's open and its connect. Measured:
  // 65,740 of 65,752 (12 unmarked, all branch c -> datacenter).
  json links = read_json(dir + "/links.json");
  uint64_t data = 0, marked = 0;
  std::function<void(const json&)> walk = [&](const json& j) {
    if (j.is_object() && j.contains("bytes_by_class") && j["bytes_by_class"].contains("bittorrent")) {
      const json& bt = j["bytes_by_class"]["bittorrent"];
      data += bt.value("data_packets", uint64_t{0});
      marked += bt.value("data_packets_by_dscp", json::object()).value("1", uint64_t{0});
    }
    if (j.is_structured())
      for (const json& v : j) walk(v);
  };
  walk(links);
  MESSAGE("WAN BitTorrent data packets: " << data << ", marked LE (DSCP 1): " << marked);
  CHECK(data > 0);
  CHECK(double(marked) >= 0.999 * double(data));
}

std::size_t count_of(const std::string& path, const std::string& needle) {
  auto text = read_small_file(path, 64 << 20);
  if (!text.ok()) return 0;
  std::size_t n = 0;
  for (auto at = text->find(needle); at != std::string::npos; at = text->find(needle, at + 1)) ++n;
  return n;
}

TEST_CASE("faults and cross traffic are carried out: WAN cut, reflector killed and restarted, tracker restarted, flows") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  const std::string dir = "/tmp/bc-netsim-faults-test-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  const std::string run_id = "ef" + std::to_string(::getpid() % 100000);
  int code = run_netsim({"emulate", std::string(BC_NETSIM_FIXTURES_DIR) + "/faults-short.toml", "--out", dir,
                         "--run-id", run_id, "--no-plots"},
                        dir + ".log", 120);
  INFO("bc-netsim output: " << dir << ".log; run directory " << dir);
  CHECK(list_netns(netns_name(run_id, "")).empty());
  REQUIRE((code == 0 || code == 3));  // 3: not every endpoint completed, which is the nodes' business here
  json links = read_json(dir + "/links.json");
  REQUIRE(links.is_object());
  const json& a = links["links"]["a"];
  // The 2 s cut dropped what arrived meanwhile (the interactive flow keeps sending).
  CHECK(a["a_to_b"]["counters"]["dropped_cut"].get<std::uint64_t>() + a["b_to_a"]["counters"]["dropped_cut"].get<std::uint64_t>() > 0);
  // 4 Mbit/s for 10 s = 5 MB offered to the cross node; 2 s of it fell into the cut.
  std::uint64_t xt = 0;
  for (const auto& [key, bytes] : a["b_to_a"]["bytes_by_source_net"].items())
    if (key.find(">10.1.0.12 udp") != std::string::npos) xt += bytes.get<std::uint64_t>();
  CHECK(xt >= 3'400'000);
  CHECK(xt <= 5'300'000);
  json nodes = read_json(dir + "/nodes.json");
  REQUIRE(nodes["interactive"].size() == 1);
  const json& lat = nodes["interactive"][0]["latency_ms"];
  CHECK(lat.size() >= 20);
  for (const json& ms : lat) CHECK(ms.get<double>() >= 40.0);  // never below the base RTT
  CHECK(count_of(dir + "/tracker/tracker.log", "bc-tracker listening") == 2);
  CHECK(count_of(dir + "/nodes/a-r1.log", " starting") == 2);  // "reflector <id> starting", once per life
}

// Bytes the datacenter (10.0.0.0/24) delivered down a link, by protocol.
std::pair<std::uint64_t, std::uint64_t> dc_tcp_udp(const json& link) {
  std::uint64_t tcp = 0, udp = 0;
  for (const auto& [key, bytes] : link["b_to_a"]["bytes_by_source_net"].items()) {
    if (key.rfind("10.0.0.0/24>", 0) != 0) continue;
    if (key.size() > 4 && key.substr(key.size() - 4) == " tcp") tcp += bytes.get<std::uint64_t>();
    if (key.size() > 4 && key.substr(key.size() - 4) == " udp") udp += bytes.get<std::uint64_t>();
  }
  return {tcp, udp};
}

TEST_CASE("governor mechanisms at the link: a cap held on average, a window change within 2 s, arms as configured") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  const std::string dir = "/tmp/bc-netsim-governor-test-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  const std::string run_id = "eg" + std::to_string(::getpid() % 100000);
  int code = run_netsim({"emulate", std::string(BC_NETSIM_SCENARIOS_DIR) + "/governor-caps.toml", "--out", dir,
                         "--run-id", run_id, "--no-plots"},
                        dir + ".log", 240);
  INFO("bc-netsim output: " << dir << ".log; run directory " << dir);
  CHECK(list_netns(netns_name(run_id, "")).empty());
  REQUIRE((code == 0 || code == 3));  // 3: the capped branch's layer is too big to finish, by design
  json report = read_json(dir + "/report.json");
  REQUIRE(report.is_object());
  json cap;
  for (const json& g : report["governor"])
    if (g["branch"] == "cap") cap = g;
  REQUIRE(cap.is_object());
  MESSAGE("cap branch: " << cap.dump());
  // Before the window (6 Mbit/s) and in it (3 Mbit/s): the rollout's payload
  // at the link over 10 s windows (1 s steps). With paced requests the node
  // holds the cap per window: measured 0.977-1.005 x cap (means 0.984, 0.988;
  // docs/benchmarks.md "WAN governor on the emulated WAN"). Asserted: no
  // window above the issue's +3%, none far below (a shared CI VM stalls), and
  // the mean within 5% under.
  REQUIRE(cap["caps"].size() == 2);
  for (const json& c : cap["caps"]) {
    CHECK(c["windows_10s"].get<int>() >= 1);
    CHECK(c["payload_ratio"]["mean"].get<double>() >= 0.95);
    CHECK(c["payload_ratio"]["mean"].get<double>() <= 1.03);
    CHECK(c["payload_ratio"]["max"].get<double>() <= 1.03);
    CHECK(c["payload_ratio"]["min"].get<double>() >= 0.90);
  }
  CHECK(cap["caps"][1]["cap_bytes_per_s"] == 375000);
  CHECK(cap["caps"][1]["windows_10s"].get<int>() >= 10);
  // The window change moves the link rate (past the midpoint of the two
  // caps, over 1 s windows) within 2 s of the wall-clock boundary.
  const double change_ms = cap["window_change_half_ms"].get<double>();
  CHECK(change_ms >= 0);
  CHECK(change_ms <= 2000);

  // The arms are what they say at the link and in their configs.
  json links = read_json(dir + "/links.json");
  REQUIRE(links.is_object());
  auto [tcp_tcp, tcp_udp] = dc_tcp_udp(links["links"]["tcp"]);
  auto [utp_tcp, utp_udp] = dc_tcp_udp(links["links"]["utp"]);
  MESSAGE("off-tcp arm: tcp " << tcp_tcp << " udp " << tcp_udp << "; ledbat arm: tcp " << utp_tcp << " udp " << utp_udp);
  CHECK(tcp_tcp > 8'000'000);           // the 8 MiB layer came over TCP
  CHECK(tcp_udp < tcp_tcp / 100);       // no uTP, no probes
  CHECK(utp_udp > 8'000'000);           // over uTP
  CHECK(utp_tcp < utp_udp / 10);        // TCP only for the tracker's HTTP
  CHECK(count_of(dir + "/nodes/tcp-r1/reflector.toml", "wan_governor = false") == 1);
  CHECK(count_of(dir + "/nodes/tcp-r1/reflector.toml", "utp = false") == 1);
  CHECK(count_of(dir + "/nodes/utp-r1/reflector.toml", "wan_governor = false") == 1);
  CHECK(count_of(dir + "/nodes/utp-r1/reflector.toml", "utp = true") == 1);
  CHECK(count_of(dir + "/nodes/cap-r1/reflector.toml", "wan_governor = true") == 1);
  CHECK(count_of(dir + "/nodes/tcp-e1/state/endpoint.toml", "wan_governor = false") == 1);
}

}  // namespace
}  // namespace bc::netsim
