#include "netsim/wanem/source_tally.hpp"

namespace bc::netsim {

void SourceTally::add(std::span<const std::uint8_t> p) {
  std::string key = "other";
  if (p.size() >= 20 && (p[0] >> 4) == 4) {
    const char* proto = p[9] == 6 ? "tcp" : p[9] == 17 ? "udp" : p[9] == 1 ? "icmp" : "ip";
    key = std::to_string(p[12]) + "." + std::to_string(p[13]) + "." + std::to_string(p[14]) + ".0/24>" +
          std::to_string(p[16]) + "." + std::to_string(p[17]) + "." + std::to_string(p[18]) + "." +
          std::to_string(p[19]) + " " + proto;
  }
  auto it = bytes_.find(key);
  if (it == bytes_.end() && bytes_.size() >= kMaxKeys) it = bytes_.try_emplace("other", 0).first;
  else if (it == bytes_.end()) it = bytes_.emplace(key, 0).first;
  it->second += p.size();
}

nlohmann::json SourceTally::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : bytes_) j[k] = v;
  return j;
}

}  // namespace bc::netsim
