// The topology builder and its teardown: routing across LANs and the WAN
// link, no link to the host namespace, and nothing left behind after a
// normal stop, a SIGTERM, or a SIGKILL followed by cleanup.
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>

#include "netsim/topo/cleanup.hpp"
#include "netsim/topo/exec.hpp"
#include "netsim/topo/netns.hpp"
#include "netsim/topo/topology.hpp"
#include "netsim/tools/flow_probe.hpp"
#include "netsim/tools/rtt_probe.hpp"
#include "netsim/wanem/emulator_thread.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/skip.hpp"

namespace bc::netsim {
namespace {

// A `bc-netsim up` child whose stdout we read.
struct UpProcess {
  pid_t pid = -1;
  int out = -1;
  ~UpProcess() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (out >= 0) ::close(out);
  }
};

void start_up(UpProcess& p, const std::string& run) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  p.pid = ::fork();
  REQUIRE(p.pid >= 0);
  if (p.pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::execl(BC_NETSIM_BIN, BC_NETSIM_BIN, "up", "--run-id", run.c_str(), "--branches", "2", "--nodes", "2",
            "--delay-up", "5", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  p.out = fds[0];
  // Bounded wait for the "ready" line.
  std::string seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (seen.find("ready " + run) == std::string::npos) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    pollfd pfd{p.out, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    char buf[512];
    ssize_t n = ::read(p.out, buf, sizeof buf);
    REQUIRE_MESSAGE(n > 0, "bc-netsim up exited before ready: ", seen);
    seen.append(buf, static_cast<std::size_t>(n));
  }
}

// Waits (bounded) for the child to exit; returns its wait status.
int wait_exit(UpProcess& p, int timeout_ms) {
  int status = 0;
  if (!bc::test::eventually([&] { return ::waitpid(p.pid, &status, WNOHANG) == p.pid; }, timeout_ms, 10)) {
    FAIL("child did not exit in time");
    return -1;
  }
  p.pid = -1;
  return status;
}

std::size_t netns_of(const std::string& run) { return list_netns(netns_name(run, "")).size(); }

// Names of our devices: none may ever appear in the host namespace.
bool host_has_our_devices() {
  auto links = run_command({"ip", "-o", "link", "show"});
  REQUIRE(links.ok());
  for (const char* name : {" wan0:", " wan1:", " wan2:", " lan0:", " n0@", " n1@"}) {
    if (links->find(name) != std::string::npos) return true;
  }
  return false;
}

void kill_run(UpProcess& p, const std::string& run) {
  start_up(p, run);
  // dc router + dc node + 2 x (router + 2 nodes)
  CHECK(netns_of(run) == 8);
  CHECK(!host_has_our_devices());
  auto links = run_command({"ip", "-n", netns_name(run, "rt-dc"), "-o", "link"});
  REQUIRE(links.ok());
  CHECK(links->find("wan1") != std::string::npos);
  ::kill(p.pid, SIGKILL);
  wait_exit(p, 5000);
  CHECK(netns_of(run) == 8);  // SIGKILL gives no chance to clean
  auto after = run_command({"ip", "-n", netns_name(run, "rt-dc"), "-o", "link"});
  REQUIRE(after.ok());
  CHECK(after->find("wan1") == std::string::npos);  // TUN closed with the process
}

TEST_CASE("SIGKILL leaves namespaces that bc-netsim cleanup removes and TUN devices vanish with the process") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  UpProcess p;
  kill_run(p, "tkill");
  auto out = run_command({BC_NETSIM_BIN, "cleanup"});
  REQUIRE_MESSAGE(out.ok(), out.status().to_string());
  CHECK(out->find("removed bcns-tkill-rt-dc") != std::string::npos);
  CHECK(netns_of("tkill") == 0);
  CHECK(!host_has_our_devices());
}

TEST_CASE("the next start removes what a SIGKILLed run left behind") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  UpProcess killed;
  kill_run(killed, "tkill2");
  TopologySpec spec;
  spec.run_id = "tnext";
  auto topo = Topology::build(spec);
  REQUIRE_MESSAGE(topo.ok(), topo.status().to_string());
  CHECK(netns_of("tkill2") == 0);
  CHECK(netns_of("tnext") == 1);  // just the datacenter router
  CHECK((*topo)->teardown().ok());
  CHECK(netns_of("tnext") == 0);
  CHECK(!host_has_our_devices());
}

TEST_CASE("SIGTERM tears the whole topology down") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  UpProcess p;
  start_up(p, "tterm");
  CHECK(netns_of("tterm") == 8);
  ::kill(p.pid, SIGTERM);
  int status = wait_exit(p, 20000);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(netns_of("tterm") == 0);
}

TEST_CASE("cleanup leaves a live run alone and a second run of the same id is refused") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  UpProcess p;
  start_up(p, "tlive");
  auto report = cleanup_runs(false);
  REQUIRE(report.ok());
  CHECK(std::find(report->live_runs_kept.begin(), report->live_runs_kept.end(), "tlive") !=
        report->live_runs_kept.end());
  CHECK(netns_of("tlive") == 8);
  TopologySpec spec;
  spec.run_id = "tlive";
  auto second = Topology::build(spec);
  CHECK(second.status().code() == Status::Code::already_exists);
  ::kill(p.pid, SIGTERM);
  wait_exit(p, 20000);
  CHECK(netns_of("tlive") == 0);
}

TEST_CASE("nodes reach their LAN directly and the datacenter across the WAN link and nothing reaches the host") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  TopologySpec spec;
  spec.run_id = "troute";
  spec.datacenter_nodes = {{"tracker", 0}};
  BranchSpec b;
  b.name = "b1";
  b.up.delay_us = 15'000;
  b.down.delay_us = 15'000;
  b.up.rate_bytes_per_s = b.down.rate_bytes_per_s = mbit_to_bytes_per_s(50);
  b.nodes = {{"refl", 0}, {"ep1", 0}};
  spec.branches.push_back(b);
  auto topo = Topology::build(spec);
  REQUIRE_MESSAGE(topo.ok(), topo.status().to_string());
  EmulatorThread emu;
  for (WanLinkPlan& plan : (*topo)->take_wan_links()) {
    REQUIRE(emu.add_link(plan.branch, std::move(plan.branch_side), std::move(plan.dc_side), plan.options).ok());
  }
  EmulatorThreadOptions eo;
  eo.realtime_priority = 50;
  REQUIRE(emu.start(eo).ok());
  const NodeInfo* ep = (*topo)->node("ep1");
  const NodeInfo* refl = (*topo)->node("refl");
  const NodeInfo* tracker = (*topo)->node("tracker");
  REQUIRE((ep && refl && tracker));
  CHECK(ep->address == "10.1.0.11");
  CHECK(tracker->address == "10.0.0.10");
  auto probe = [](const NodeInfo* from, const NodeInfo* to) {
    RttProbeOptions o;
    o.client_ns = from->netns;
    o.client_addr = from->address;
    o.server_ns = to->netns;
    o.server_addr = to->address;
    o.count = 20;
    o.interval_us = 5000;
    o.realtime_priority = 50;
    return run_rtt_probe(o);
  };
  auto lan = probe(ep, refl);
  REQUIRE_MESSAGE(lan.ok(), lan.status().to_string());
  CHECK(lan->received == 20);
  CHECK(lan->percentile_ns(0.5) < 5'000'000);
  auto wan = probe(ep, tracker);
  REQUIRE_MESSAGE(wan.ok(), wan.status().to_string());
  CHECK(wan->received == 20);
  CHECK(wan->min_ns() >= 30'000'000);
  // Across the WAN link once (twice would be >= 60 ms). The emulator's
  // accuracy is link_accuracy_test's job; on a loaded CI machine the median
  // came out at 33.3 ms, so this bound only separates once from twice.
  CHECK(wan->percentile_ns(0.5) < 40'000'000);
  // No namespace has a route out: the datacenter router has no default route.
  CHECK(!run_command({"ip", "-n", (*topo)->router_netns("dc"), "route", "get", "192.0.2.1"}).ok());
  // Spawned processes run inside the node's namespace and die at teardown.
  auto pid = (*topo)->spawn("ep1", {"sleep", "60"}, "/dev/null");
  REQUIRE(pid.ok());
  // The child enters the namespace just after fork: poll (bounded) until it shows.
  CHECK(bc::test::eventually(
      [&] {
        auto pids = run_command({"ip", "netns", "pids", ep->netns});
        REQUIRE(pids.ok());
        return ("\n" + *pids).find("\n" + std::to_string(*pid) + "\n") != std::string::npos;
      },
      5'000, 10));
  emu.stop();
  CHECK((*topo)->teardown().ok());
  CHECK(netns_of("troute") == 0);
  CHECK(::kill(*pid, 0) != 0);  // reaped
}

}  // namespace
}  // namespace bc::netsim

namespace bc::netsim {
namespace {

TEST_CASE("the LAN rate of a node is enforced by HTB on its bridge port") {
  BC_REQUIRE_ROOT("for network namespaces, veth and TUN devices");
  TopologySpec spec;
  spec.run_id = "thtb";
  BranchSpec b;
  b.name = "b1";
  b.nodes = {{"slow", mbit_to_bytes_per_s(20)}, {"fast", 0}};
  spec.branches.push_back(b);
  auto topo = Topology::build(spec);
  REQUIRE_MESSAGE(topo.ok(), topo.status().to_string());
  const NodeInfo* slow = (*topo)->node("slow");
  const NodeInfo* fast = (*topo)->node("fast");
  FlowOptions f;
  f.sender_ns = fast->netns;
  f.sender_addr = fast->address;
  f.receiver_ns = slow->netns;
  f.receiver_addr = slow->address;
  f.offered_rate_bytes_per_s = mbit_to_bytes_per_s(30);
  f.duration_ms = 1500;
  f.realtime_priority = 50;
  auto r = run_udp_flow(f);
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  // HTB counts the 14-byte Ethernet header: 20 Mbit/s of frames is 19.8 of IP.
  const double mbit = r->delivered_rate_bytes_per_s * 8 / 1e6;
  INFO("delivered ", mbit, " Mbit/s");
  CHECK(std::abs(mbit - 20 * 1500.0 / 1514) < 1.0);
  CHECK((*topo)->teardown().ok());
}

}  // namespace
}  // namespace bc::netsim
