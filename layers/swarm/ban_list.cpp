#include "layers/swarm/ban_list.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "layers/swarm/ip_subnet.hpp"
#include "layers/util/fs.hpp"

namespace bc {

Result<BanList> BanList::load(const std::string& path, int64_t now_s, int64_t ttl_s) {
  BanList b;
  b.path_ = path;
  b.ttl_s_ = ttl_s;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return b;
  BC_ASSIGN_OR_RETURN(std::string text, read_small_file(path, kMaxBannedPeers * 64));
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string ip;
    int64_t at = 0;
    if (!(fields >> ip >> at)) continue;
    if (!parse_ip(ip).ok() || at > now_s + 86400 || now_s - at >= ttl_s) continue;
    if (b.entries_.size() < kMaxBannedPeers) b.entries_[ip] = at;
  }
  return b;
}

Result<bool> BanList::add(const std::string& ip, int64_t now_s) {
  BC_RETURN_IF_ERROR(parse_ip(ip).status());
  bool fresh = !entries_.count(ip);
  if (fresh && entries_.size() >= kMaxBannedPeers) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
    entries_.erase(oldest);
  }
  entries_[ip] = now_s;
  BC_RETURN_IF_ERROR(save());
  return fresh;
}

Result<size_t> BanList::expire(int64_t now_s) {
  const size_t before = entries_.size();
  std::erase_if(entries_, [&](const auto& e) { return now_s - e.second >= ttl_s_; });
  const size_t gone = before - entries_.size();
  if (gone > 0) BC_RETURN_IF_ERROR(save());
  return gone;
}

Status BanList::save() const {
  std::string out;
  for (const auto& [ip, at] : entries_) out += ip + " " + std::to_string(at) + "\n";
  return write_file_atomic(path_, out, 0644);
}

}  // namespace bc
