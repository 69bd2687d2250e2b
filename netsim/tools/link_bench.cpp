#include "netsim/tools/link_bench.hpp"

namespace bc::netsim {

Result<std::unique_ptr<LinkBench>> LinkBench::create(const LinkBenchOptions& options) {
  TopologySpec spec;
  spec.run_id = options.run_id;
  BranchSpec b;
  b.name = "b1";
  b.up = options.a_to_b;
  b.down = options.b_to_a;
  spec.branches.push_back(b);
  std::unique_ptr<LinkBench> bench(new LinkBench());
  BC_ASSIGN_OR_RETURN(bench->topology_, Topology::build(spec));
  for (WanLinkPlan& plan : bench->topology_->take_wan_links()) {
    plan.options.spin_us = options.spin_us;
    BC_RETURN_IF_ERROR(
        bench->emulator_.add_link(plan.branch, std::move(plan.branch_side), std::move(plan.dc_side), plan.options));
  }
  BC_RETURN_IF_ERROR(bench->emulator_.start(options.emulator));
  return bench;
}

LinkBench::~LinkBench() {
  // The emulator closes the TUN devices before the namespaces go.
  emulator_.stop();
  if (topology_) topology_->teardown();
}

Status LinkBench::configure(const LinkOptions& a_to_b, const LinkOptions& b_to_a) {
  return emulator_.reconfigure("b1", a_to_b, b_to_a);
}

FlowOptions LinkBench::flow_a_to_b() const {
  FlowOptions f;
  f.sender_ns = a_ns();
  f.sender_addr = a_addr();
  f.receiver_ns = b_ns();
  f.receiver_addr = b_addr();
  return f;
}

RttProbeOptions LinkBench::rtt_from_a() const {
  RttProbeOptions r;
  r.client_ns = a_ns();
  r.client_addr = a_addr();
  r.server_ns = b_ns();
  r.server_addr = b_addr();
  return r;
}

}  // namespace bc::netsim
