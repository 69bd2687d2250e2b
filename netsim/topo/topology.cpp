#include "netsim/topo/topology.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "netsim/topo/cleanup.hpp"
#include "netsim/topo/exec.hpp"
#include "netsim/topo/netns.hpp"

namespace bc::netsim {

namespace {
std::string lan_address(int lan_index, int host) {
  return "10." + std::to_string(lan_index) + ".0." + std::to_string(host);
}
}  // namespace

std::pair<std::string, std::string> Topology::wan_addresses(std::size_t k) {
  return {"10.255." + std::to_string(k) + ".1", "10.255." + std::to_string(k) + ".2"};
}

Result<std::unique_ptr<Topology>> Topology::build(const TopologySpec& spec) {
  BC_RETURN_IF_ERROR(require_root("building an emulated network"));
  BC_RETURN_IF_ERROR(spec.validate());
  BC_RETURN_IF_ERROR(cleanup_runs(false).status().with_context("cleaning dead runs"));
  std::unique_ptr<Topology> t(new Topology());
  t->run_id_ = spec.run_id;
  BC_ASSIGN_OR_RETURN(t->lock_, RunLock::acquire(spec.run_id));
  // A namespace of this run id left over with a free lock is stale: cleanup
  // above removed it unless it appeared since; refuse rather than reuse.
  if (!list_netns(netns_name(spec.run_id, "")).empty()) {
    return Status::already_exists("namespaces of run '" + spec.run_id + "' already exist");
  }
  Status s = t->build_all(spec);
  if (!s.ok()) {
    t->teardown(0);
    return s.with_context("building topology of run " + spec.run_id);
  }
  return t;
}

Topology::~Topology() { teardown(); }

const NodeInfo* Topology::node(const std::string& name) const {
  for (const NodeInfo& n : nodes_) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

std::string Topology::router_netns(const std::string& lan) const { return netns_name(run_id_, "rt-" + lan); }

Status Topology::ip(const std::string& ns, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ip", "-n", ns};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv).status();
}

Status Topology::add_netns(const std::string& ns) {
  BC_RETURN_IF_ERROR(run_command({"ip", "netns", "add", ns}).status());
  created_netns_.push_back(ns);
  BC_RETURN_IF_ERROR(ip(ns, {"link", "set", "lo", "up"}));
  // IPv6 would send router solicitations and MLD reports over the links and
  // perturb measurements; everything here is IPv4.
  BC_RETURN_IF_ERROR(write_netns_sysctl(ns, "net.ipv6.conf.all.disable_ipv6", "1"));
  return write_netns_sysctl(ns, "net.ipv6.conf.default.disable_ipv6", "1");
}

Status Topology::shape(const std::string& ns, const std::string& dev, std::uint64_t rate_bytes_per_s) {
  if (rate_bytes_per_s == 0) return Status();
  std::string rate = std::to_string(rate_bytes_per_s * 8) + "bit";
  BC_RETURN_IF_ERROR(run_command({"tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb",
                                  "default", "1"})
                         .status());
  return run_command({"tc", "-n", ns, "class", "add", "dev", dev, "parent", "1:", "classid", "1:1", "htb", "rate",
                      rate, "quantum", "1514"})
      .status();
}

Status Topology::build_lan(const std::string& lan, int lan_index, const std::vector<NodeSpec>& nodes) {
  const std::string router = router_netns(lan);
  BC_RETURN_IF_ERROR(add_netns(router));
  BC_RETURN_IF_ERROR(write_netns_sysctl(router, "net.ipv4.ip_forward", "1"));
  BC_RETURN_IF_ERROR(ip(router, {"link", "add", "lan0", "type", "bridge"}));
  BC_RETURN_IF_ERROR(ip(router, {"addr", "add", lan_address(lan_index, 1) + "/24", "dev", "lan0"}));
  BC_RETURN_IF_ERROR(ip(router, {"link", "set", "lan0", "up"}));
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeSpec& n = nodes[i];
    const std::string ns = netns_name(run_id_, n.name);
    const std::string port = "n" + std::to_string(i);
    const std::string addr = lan_address(lan_index, 10 + static_cast<int>(i));
    BC_RETURN_IF_ERROR(add_netns(ns));
    // Both ends are created directly inside their namespaces: nothing ever
    // appears in the host namespace.
    BC_RETURN_IF_ERROR(run_command({"ip", "link", "add", "name", "eth0", "netns", ns, "type", "veth", "peer", "name",
                                    port, "netns", router})
                           .status());
    BC_RETURN_IF_ERROR(ip(router, {"link", "set", port, "master", "lan0", "up"}));
    BC_RETURN_IF_ERROR(ip(ns, {"addr", "add", addr + "/24", "dev", "eth0"}));
    BC_RETURN_IF_ERROR(ip(ns, {"link", "set", "eth0", "up"}));
    BC_RETURN_IF_ERROR(ip(ns, {"route", "add", "default", "via", lan_address(lan_index, 1)}));
    BC_RETURN_IF_ERROR(shape(ns, "eth0", n.lan_rate_bytes_per_s));
    BC_RETURN_IF_ERROR(shape(router, port, n.lan_rate_bytes_per_s));
    nodes_.push_back(NodeInfo{n.name, ns, addr, lan});
  }
  return Status();
}

Status Topology::build_wan(std::size_t k, const BranchSpec& branch) {
  const std::string br = router_netns(branch.name), dc = router_netns("dc");
  const std::string dc_dev = "wan" + std::to_string(k);
  auto [br_addr, dc_addr] = wan_addresses(k);
  BC_ASSIGN_OR_RETURN(TunDevice br_tun, TunDevice::create(br, "wan0"));
  BC_ASSIGN_OR_RETURN(TunDevice dc_tun, TunDevice::create(dc, dc_dev));
  const std::string mtu = std::to_string(std::min(branch.up.mtu_bytes, branch.down.mtu_bytes));
  BC_RETURN_IF_ERROR(ip(br, {"addr", "add", br_addr, "peer", dc_addr, "dev", "wan0"}));
  BC_RETURN_IF_ERROR(ip(br, {"link", "set", "wan0", "mtu", mtu, "up"}));
  BC_RETURN_IF_ERROR(ip(dc, {"addr", "add", dc_addr, "peer", br_addr, "dev", dc_dev}));
  BC_RETURN_IF_ERROR(ip(dc, {"link", "set", dc_dev, "mtu", mtu, "up"}));
  BC_RETURN_IF_ERROR(ip(br, {"route", "add", "default", "dev", "wan0"}));
  BC_RETURN_IF_ERROR(ip(dc, {"route", "add", "10." + std::to_string(k) + ".0.0/24", "dev", dc_dev}));
  WanLinkPlan plan{branch.name, std::move(br_tun), std::move(dc_tun), WanLinkOptions{}};
  plan.options.a_to_b = branch.up;
  plan.options.b_to_a = branch.down;
  wan_links_.push_back(std::move(plan));
  return Status();
}

Status Topology::build_all(const TopologySpec& spec) {
  BC_RETURN_IF_ERROR(build_lan("dc", 0, spec.datacenter_nodes));
  for (std::size_t k = 0; k < spec.branches.size(); ++k) {
    BC_RETURN_IF_ERROR(build_lan(spec.branches[k].name, static_cast<int>(k + 1), spec.branches[k].nodes));
    BC_RETURN_IF_ERROR(build_wan(k + 1, spec.branches[k]));
  }
  return Status();
}

std::vector<WanLinkPlan> Topology::take_wan_links() { return std::move(wan_links_); }

Result<pid_t> Topology::spawn(const std::string& name, const std::vector<std::string>& argv,
                              const std::string& log_path) {
  const NodeInfo* n = node(name);
  if (n == nullptr) return Status::not_found("no node named '" + name + "'");
  if (argv.empty()) return Status::invalid_argument("spawn: empty argv");
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls.
  std::string ns_path = std::string(kNetnsDir) + "/" + n->netns;
  int ns_fd = ::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns_fd < 0) return Status::io_error("open " + ns_path + ": " + std::strerror(errno));
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    int err = errno;
    ::close(ns_fd);
    return Status::io_error("open " + log_path + ": " + std::strerror(err));
  }
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);
    // Our stop signals may be blocked for sigwait; the child must see them.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (::setns(ns_fd, CLONE_NEWNET) != 0) ::_exit(126);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execvp(cargv[0], cargv.data());
    ::_exit(127);
  }
  int err = errno;
  ::close(ns_fd);
  ::close(log_fd);
  if (pid < 0) return Status::io_error(std::string("fork: ") + std::strerror(err));
  children_.push_back(pid);
  return pid;
}

Status Topology::teardown(int grace_ms) {
  for (pid_t p : children_) ::kill(p, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  while (!children_.empty()) {
    std::erase_if(children_, [](pid_t p) { return ::waitpid(p, nullptr, WNOHANG) != 0; });
    if (children_.empty()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      for (pid_t p : children_) ::kill(p, SIGKILL);
      for (pid_t p : children_) ::waitpid(p, nullptr, 0);
      children_.clear();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // bounded poll of child exit
  }
  wan_links_.clear();  // closes TUN descriptors still held
  Status first;
  for (auto it = created_netns_.rbegin(); it != created_netns_.rend(); ++it) {
    auto r = delete_netns(*it);
    if (!r.ok() && first.ok()) first = r.status();
  }
  created_netns_.clear();
  lock_ = RunLock();
  return first;
}

}  // namespace bc::netsim
