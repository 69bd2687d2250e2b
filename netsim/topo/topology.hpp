// Builds the namespaces, bridges, veth pairs, TUN devices, addresses, routes
// and LAN shaping of a TopologySpec, and tears all of it down again: on
// destruction, on a failed build (nothing half-made is left), and — for a
// process that died — at the next build or `bc-netsim cleanup` (see
// cleanup.hpp). No namespace has a link to the host's namespace: no packet
// can leave the machine.
//
// The WAN TUN devices are created here and handed to the emulator with
// take_wan_links(); the devices (and the routes over them) live as long as
// the emulator holds them.
//
// Thread affinity: one owning thread; spawn() must be called from a thread
// that outlives the children (they get SIGKILL when it exits).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "layers/util/status.hpp"
#include "netsim/topo/run_lock.hpp"
#include "netsim/topo/topology_spec.hpp"
#include "netsim/wanem/tun_device.hpp"
#include "netsim/wanem/wan_link.hpp"

namespace bc::netsim {

struct NodeInfo {
  std::string name;
  std::string netns;
  std::string address;  // IPv4, dotted
  std::string lan;      // branch name or "dc"
};

struct WanLinkPlan {
  std::string branch;
  TunDevice branch_side;  // side A: packets from the branch go up
  TunDevice dc_side;      // side B
  WanLinkOptions options;
};

class Topology {
 public:
  // Cleans dead runs first, then builds. REQUIRES root.
  static Result<std::unique_ptr<Topology>> build(const TopologySpec& spec);
  ~Topology();
  Topology(const Topology&) = delete;

  const std::vector<NodeInfo>& nodes() const { return nodes_; }
  // nullptr when there is no such node.
  const NodeInfo* node(const std::string& name) const;
  // "bcns-<run>-rt-<branch>" or "bcns-<run>-rt-dc".
  std::string router_netns(const std::string& lan) const;
  // WAN addresses of branch link k (1-based): {branch side, dc side}.
  static std::pair<std::string, std::string> wan_addresses(std::size_t k);

  // Moves the WAN TUN pairs out (once) to be run by an EmulatorThread.
  std::vector<WanLinkPlan> take_wan_links();

  // Starts argv in node `name`'s namespace, its stdout+stderr appended to
  // `log_path`; the child is killed at teardown. Returns its pid.
  Result<pid_t> spawn(const std::string& name, const std::vector<std::string>& argv, const std::string& log_path);

  // Stops spawned processes (SIGTERM, then SIGKILL after `grace_ms`), closes
  // the TUN devices still held and deletes every namespace. Idempotent;
  // returns the first error but always tries every step.
  Status teardown(int grace_ms = 2000);

 private:
  Topology() = default;
  Status build_all(const TopologySpec& spec);
  Status add_netns(const std::string& ns);
  Status build_lan(const std::string& lan, int lan_index, const std::vector<NodeSpec>& nodes);
  Status build_wan(std::size_t k, const BranchSpec& branch);
  Status shape(const std::string& ns, const std::string& dev, std::uint64_t rate_bytes_per_s);
  Status ip(const std::string& ns, const std::vector<std::string>& args);

  std::string run_id_;
  RunLock lock_;
  std::vector<std::string> created_netns_;
  std::vector<NodeInfo> nodes_;
  std::vector<WanLinkPlan> wan_links_;
  std::vector<pid_t> children_;
};

}  // namespace bc::netsim
