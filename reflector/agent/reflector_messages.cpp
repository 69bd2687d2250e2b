#include "reflector/agent/reflector_messages.hpp"

namespace bc::reflector {

using nlohmann::json;

Result<std::vector<DesiredLayer>> desired_layers(const json& state) {
  std::vector<DesiredLayer> out;
  if (!state.is_object() || !state.contains("layers") || !state["layers"].is_array())
    return Status::corruption("desired state has no \"layers\" array");
  for (const auto& l : state["layers"]) {
    if (!l.is_object()) return Status::corruption("desired state: a layer is not an object");
    auto ref = LayerRef::parse(l.value("ref", ""));
    if (!ref.ok()) return Status::corruption("desired state: bad ref: " + ref.status().message());
    DesiredLayer d{*ref, l.value("info_hash", ""), 0};
    if (l.contains("total_bytes") && l["total_bytes"].is_number_unsigned()) d.total_bytes = l["total_bytes"];
    if (d.info_hash.size() != 64 || d.info_hash.find_first_not_of("0123456789abcdef") != std::string::npos)
      return Status::corruption("desired state: layer " + ref->to_string() + " has a bad info_hash");
    out.push_back(std::move(d));
  }
  return out;
}

json heartbeat_fields(const ReflectorCore& core, const std::string& address) {
  json cache = json::array();
  for (const auto& [ref, c] : core.cache())
    if (c.state == CacheState::seeding) cache.push_back(c.info_hash);
  json fields = {{"cache", cache}, {"free_bytes", core.free_bytes()}};
  if (!address.empty()) fields["address"] = address;
  return fields;
}

json status_report(const ReflectorCore& core, const BytesBySource& moved, const std::string& driver_error) {
  json layers = json::array();
  for (const auto& [ref, c] : core.cache()) {
    if (layers.size() >= kMaxReportedLayers) break;
    layers.push_back({{"ref", ref.to_string()}, {"state", to_string(c.state)},
                      {"bytes_done", c.done_bytes}, {"bytes_total", c.bytes}});
  }
  const std::string& err = !core.last_error().empty() ? core.last_error() : driver_error;
  return {{"layers", layers},
          {"bytes_by_source",
           {{"origin", moved.origin_wan}, {"reflector", moved.reflector}, {"peer", moved.branch_peer}}},
          {"last_error", err.substr(0, kMaxReportedErrorBytes)}};
}

}  // namespace bc::reflector
