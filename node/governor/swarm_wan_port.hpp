// SwarmNode seen as the WAN governor loop's WanPort: the WAN class's byte
// counts and its one limit setter. Thread affinity: SwarmNode's owner thread.
#pragma once

#include "layers/governor/wan_governor_loop.hpp"
#include "layers/swarm/swarm_node.hpp"

namespace bc {

class SwarmWanPort final : public governor::WanPort {
 public:
  // `node` must outlive the port.
  explicit SwarmWanPort(SwarmNode& node) : node_(node) {}
  governor::WanByteCounts wan_bytes() override {
    const SwarmNode::WanBytes b = node_.wan_bytes();
    return {b.down, b.up};
  }
  void set_wan_limits(int64_t down, int64_t up) override { node_.set_wan_limits(down, up); }
  void set_request_pace(int64_t rate, int64_t window) override { node_.set_wan_request_pace(rate, window); }

 private:
  SwarmNode& node_;
};

}  // namespace bc
