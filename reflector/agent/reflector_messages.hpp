// What the reflector reads from and writes to the tracker, as pure
// functions of the core's state: the desired state in, the heartbeat fields
// and the status report out (docs/api.md). No I/O.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/swarm/ip_subnet.hpp"
#include "reflector/agent/reflector_core.hpp"

namespace bc::reflector {

inline constexpr size_t kMaxReportedLayers = 256;  // status report bound
inline constexpr size_t kMaxReportedErrorBytes = 1024;

// The tracker's desired state for a reflector -> the core's desired set.
// corruption when it has no "layers" array, a bad ref or a bad info_hash.
Result<std::vector<DesiredLayer>> desired_layers(const nlohmann::json& state);

// The heartbeat's (and registration's) fields: the seeding layers'
// info-hashes, free quota and the announced address ("" = as seen).
nlohmann::json heartbeat_fields(const ReflectorCore& core, const std::string& address);

// The status report: each cached layer's state (at most
// kMaxReportedLayers), bytes received by source, and the last error (the
// core's, else `driver_error`; at most kMaxReportedErrorBytes).
nlohmann::json status_report(const ReflectorCore& core, const BytesBySource& moved, const std::string& driver_error);

}  // namespace bc::reflector
