// The swarm node's crash guard: what a node keeps in data_dir so that a
// process killed mid-download (kill -9, a crash) is noticed and not repeated.
//
//  - The running marker (data_dir/running): written by open(), removed by
//    mark_clean_stop(). Found at open(): the previous process did not stop
//    cleanly, so its resume data is not trusted (the node rechecks files).
//  - The ban list (data_dir/banned-peers, layers/swarm/ban_list.hpp): peers
//    banned for bad data, kept for ban_ttl_s across restarts. Ban times and
//    expiry are judged on the injected Clock's unix_s(), never the wall clock
//    directly, so a test or simulator moves them.
//  - Suspects (data_dir/suspect-peers): peers that alone sent a piece that
//    failed its hash check. libtorrent 2.0.8 can crash in the v2 hash-request
//    path that follows a failed piece (arvidn/libtorrent#8630); a node that
//    starts after an unclean stop bans every suspect, so the peer that sent
//    the corrupt piece cannot crash it again and again.
//
// Errors: open() returns io_error when the marker cannot be written or the
// ban list cannot be read. Suspects are best effort (losing them loses only
// that safeguard). Not thread-safe: the node's owner thread only.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "layers/swarm/ban_list.hpp"
#include "layers/util/clock.hpp"
#include "layers/util/status.hpp"

namespace bc {

inline constexpr size_t kMaxSuspectPeers = 256;

class CrashGuard {
 public:
  // Writes the marker, loads the bans younger than ban_ttl_s and, after an
  // unclean stop, bans the suspects. REQUIRES: data_dir exists. `clock` must
  // outlive the guard.
  static Result<CrashGuard> open(const std::string& data_dir, int64_t ban_ttl_s, const Clock& clock);

  // True when the marker was already there at open().
  bool unclean_start() const { return unclean_start_; }

  // Remembers a peer that alone sent a piece that failed its hash check, until
  // a clean stop. Bounded (kMaxSuspectPeers); best effort.
  void add_suspect(const std::string& ip);

  // Bans `ip` from now on (the clock's unix_s()). Returns true when it was not
  // banned before. Errors: invalid_argument for a bad address, io_error when
  // the list cannot be written (the ban holds in memory).
  Result<bool> ban(const std::string& ip);
  // Drops the bans older than the TTL now; true when any went.
  bool expire_bans();
  // ip -> banned at, unix seconds.
  const std::map<std::string, int64_t>& bans() const { return bans_.entries(); }

  // Suspects banned at open() after an unclean stop, each returned once.
  std::vector<std::string> take_crash_bans();

  // Clears the marker and the suspects. Call only once the resume data is
  // saved: a later start then trusts it.
  void mark_clean_stop();

 private:
  CrashGuard(const std::string& data_dir, BanList bans, const Clock& clock);
  void ban_suspects();

  const Clock* clock_;
  std::string marker_path_;
  std::string suspects_path_;
  bool unclean_start_ = false;
  BanList bans_;
  std::set<std::string> suspects_;
  std::vector<std::string> crash_bans_;
};

}  // namespace bc
