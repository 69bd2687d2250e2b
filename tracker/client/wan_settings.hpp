// What a node's WAN governor learns from the desired-state answer
// (docs/api.md, "Desired state"): the RTT echo responder's UDP port on the
// tracker's host, the branch's WAN policy and, for reflectors, their share of
// the branch caps. Validated here, on the node (the tracker stores policies
// as given): a missing policy is the default policy and an invalid one is
// refused and replaced by the default too, so a bad document never stops a
// node (WanPolicy{}: no caps, 25 ms target, 16 KiB/s floor, latency aware).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "layers/governor/wan_policy.hpp"

namespace bc::tracker {

struct WanSettings {
  uint16_t probe_port = 0;  // 0 = the tracker runs no responder: no RTT samples
  governor::WanPolicy policy;    // the default policy when absent or invalid
  double share = 1.0;       // (0, 1]; 1 when absent or invalid
  // Why a part was refused (the default used instead), for the node's log;
  // empty when everything was taken as sent.
  std::string problem;
  bool operator==(const WanSettings&) const = default;
};

// Never fails: each bad part falls back to its default and is named in `problem`.
WanSettings wan_settings_from_desired(const nlohmann::json& desired);

}  // namespace bc::tracker
