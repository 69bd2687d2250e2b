#include "endpoint/agent/status_report.hpp"

#include <algorithm>

namespace bc::endpoint {

Result<std::vector<std::string>> desired_stack(const nlohmann::json& state) {
  std::vector<std::string> stack;
  if (!state.is_object() || !state.contains("stack") || !state["stack"].is_array())
    return Status::corruption("desired state has no stack array");
  for (const auto& l : state["stack"]) {
    if (!l.is_object() || !l.contains("ref") || !l["ref"].is_string())
      return Status::corruption("desired state: a stack entry has no ref");
    stack.push_back(l["ref"].get<std::string>());
  }
  return stack;
}

nlohmann::json build_status_report(const std::vector<std::string>& desired,
                                   const std::map<std::string, LocalLayer>& local,
                                   const std::vector<std::string>& applied,
                                   const BytesBySource& bytes, const std::string& last_error) {
  nlohmann::json layers = nlohmann::json::array();
  bool converged = !desired.empty() && desired == applied;
  for (const auto& ref : desired) {
    nlohmann::json l{{"ref", ref}, {"state", "queued"}, {"bytes_done", 0}, {"bytes_total", 0}};
    auto it = local.find(ref);
    if (it != local.end()) {
      l["state"] = to_string(it->second.phase);
      l["bytes_done"] = it->second.done_bytes;
      l["bytes_total"] = it->second.total_bytes;
    }
    if (converged) l["state"] = "applied";
    layers.push_back(std::move(l));
  }
  return {{"layers", layers},
          {"bytes_by_source",
           {{"origin", bytes.origin_wan}, {"reflector", bytes.reflector}, {"peer", bytes.branch_peer}}},
          {"applied", applied},
          {"last_error", last_error}};
}

}  // namespace bc::endpoint
