#include "layers/swarm/crash_guard.hpp"

#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "layers/swarm/ip_subnet.hpp"
#include "layers/util/fs.hpp"

namespace bc {

namespace fs = std::filesystem;

CrashGuard::CrashGuard(const std::string& data_dir, BanList bans, const Clock& clock)
    : clock_(&clock),
      marker_path_(data_dir + "/running"),
      suspects_path_(data_dir + "/suspect-peers"),
      bans_(std::move(bans)) {}

Result<CrashGuard> CrashGuard::open(const std::string& data_dir, int64_t ban_ttl_s, const Clock& clock) {
  BC_ASSIGN_OR_RETURN(BanList bans, BanList::load(data_dir + "/banned-peers", clock.unix_s(), ban_ttl_s));
  CrashGuard g(data_dir, std::move(bans), clock);
  std::error_code ec;
  g.unclean_start_ = fs::exists(g.marker_path_, ec);
  BC_RETURN_IF_ERROR(write_file_atomic(g.marker_path_, std::to_string(::getpid()) + "\n", 0644));
  if (g.unclean_start_) g.ban_suspects();
  // This run starts a fresh list: the suspects of the last run are banned or cleared.
  fs::remove(g.suspects_path_, ec);
  return g;
}

void CrashGuard::ban_suspects() {
  auto text = read_small_file(suspects_path_, 64 * 1024);
  std::istringstream lines(text.ok() ? *text : std::string());
  const int64_t now_s = clock_->unix_s();
  for (std::string ip; std::getline(lines, ip) && crash_bans_.size() < kMaxSuspectPeers;) {
    if (!parse_ip(ip).ok()) continue;  // a torn line
    (void)bans_.add(ip, now_s);        // held in memory even if the file cannot be written
    crash_bans_.push_back(ip);
  }
}

void CrashGuard::add_suspect(const std::string& ip) {
  if (suspects_.count(ip) || suspects_.size() >= kMaxSuspectPeers) return;
  suspects_.insert(ip);
  std::string text;
  for (const auto& s : suspects_) text += s + "\n";
  (void)write_file_atomic(suspects_path_, text, 0644);  // best effort: losing it loses only this safeguard
}

Result<bool> CrashGuard::ban(const std::string& ip) { return bans_.add(ip, clock_->unix_s()); }

bool CrashGuard::expire_bans() {
  const size_t before = bans_.entries().size();
  (void)bans_.expire(clock_->unix_s());  // a failed rewrite: the file keeps them until the next change
  return bans_.entries().size() != before;
}

std::vector<std::string> CrashGuard::take_crash_bans() { return std::exchange(crash_bans_, {}); }

void CrashGuard::mark_clean_stop() {
  std::error_code ec;
  fs::remove(marker_path_, ec);
  fs::remove(suspects_path_, ec);
}

}  // namespace bc
