#include "tracker/client/branch_net.hpp"

namespace bc::tracker {

namespace {

Status read_strings(const nlohmann::json& parent, const char* key, const std::string& path,
                    std::vector<std::string>& out) {
  if (!parent.contains(key)) return Status();
  const nlohmann::json& a = parent[key];
  if (!a.is_array()) return Status::corruption("desired state: " + path + " is not an array");
  if (a.size() > kMaxBranchNetEntries)
    return Status::corruption("desired state: " + path + " has more than " + std::to_string(kMaxBranchNetEntries) +
                              " entries");
  for (const auto& v : a) {
    if (!v.is_string()) return Status::corruption("desired state: " + path + " holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return Status();
}

}  // namespace

Result<BranchNet> branch_net_from_desired(const nlohmann::json& desired) {
  BranchNet n;
  if (!desired.is_object()) return Status::corruption("desired state is not an object");
  if (desired.contains("lan")) {
    const auto& lan = desired["lan"];
    if (!lan.is_object()) return Status::corruption("desired state: lan is not an object");
    BC_RETURN_IF_ERROR(read_strings(lan, "subnets", "lan.subnets", n.subnets));
    BC_RETURN_IF_ERROR(read_strings(lan, "reflectors", "lan.reflectors", n.reflector_ips));
  }
  BC_RETURN_IF_ERROR(read_strings(desired, "web_seeds", "web_seeds", n.web_seeds));
  if (desired.contains("layer_web_seeds")) {
    const auto& per = desired["layer_web_seeds"];
    if (!per.is_object()) return Status::corruption("desired state: layer_web_seeds is not an object");
    if (per.size() > kMaxBranchNetEntries)
      return Status::corruption("desired state: layer_web_seeds has more than " +
                                std::to_string(kMaxBranchNetEntries) + " layers");
    for (const auto& [ih, urls] : per.items())
      BC_RETURN_IF_ERROR(read_strings(per, ih.c_str(), "layer_web_seeds." + ih.substr(0, 64), n.layer_web_seeds[ih]));
  }
  return n;
}

}  // namespace bc::tracker
