// A two-namespace test bench around one emulated link: the branch router
// namespace (side A, 10.255.1.1) and the datacenter router namespace (side B,
// 10.255.1.2) joined by a WanLink on its own thread. Used by `bc-netsim
// linktest` and by the netsim tests to measure the emulator against its
// configuration. Tears everything down on destruction.
#pragma once

#include <memory>
#include <string>

#include "layers/util/status.hpp"
#include "netsim/tools/flow_probe.hpp"
#include "netsim/tools/rtt_probe.hpp"
#include "netsim/topo/topology.hpp"
#include "netsim/wanem/emulator_thread.hpp"

namespace bc::netsim {

struct LinkBenchOptions {
  // Namespaces are "bcns-<run_id>-...". REQUIRES [a-z0-9]{1,12}.
  std::string run_id = "linktest";
  // Initial configuration of both directions.
  LinkOptions a_to_b;
  LinkOptions b_to_a;
  EmulatorThreadOptions emulator;
  // Busy-wait budget before a departure, us (WanLinkOptions::spin_us). Default 0.
  std::int64_t spin_us = 0;
};

class LinkBench {
 public:
  // REQUIRES root.
  static Result<std::unique_ptr<LinkBench>> create(const LinkBenchOptions& options);
  ~LinkBench();

  Status configure(const LinkOptions& a_to_b, const LinkOptions& b_to_a);
  nlohmann::json stats_json() { return emulator_.stats_json()["links"]["b1"]; }

  std::string a_ns() const { return topology_->router_netns("b1"); }
  std::string b_ns() const { return topology_->router_netns("dc"); }
  std::string a_addr() const { return Topology::wan_addresses(1).first; }
  std::string b_addr() const { return Topology::wan_addresses(1).second; }
  // A flow from side A to side B offering offered_bytes_per_s for
  // duration_ms; the other fields keep FlowOptions' defaults.
  FlowOptions flow_a_to_b(std::uint64_t offered_bytes_per_s, int duration_ms, int realtime_priority) const;
  // `count` RTT probes from side A to side B, one every interval_us.
  RttProbeOptions rtt_a_to_b(int count, int interval_us, int realtime_priority) const;

 private:
  LinkBench() = default;
  std::unique_ptr<Topology> topology_;
  EmulatorThread emulator_;
};

}  // namespace bc::netsim
