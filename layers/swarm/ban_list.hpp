// Peers this node banned for sending bad data, kept on disk so a restart
// (after a crash, or kill -9) does not talk to them again. Entries expire
// after a TTL: an address may be reassigned, or shared behind a NAT.
//
// File format (data_dir/banned-peers): one "IP UNIX_SECONDS" per line,
// rewritten atomically on every change. Bounded: kMaxBannedPeers entries, the
// oldest dropped first. Pure but for load/save; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "layers/util/status.hpp"

namespace bc {

inline constexpr size_t kMaxBannedPeers = 4096;

class BanList {
 public:
  // Reads `path` if it exists, keeping entries younger than ttl_s at now_s.
  // A malformed line is skipped (the file is ours, but a torn disk must not
  // stop the node). Errors: io_error when the file exists but cannot be read.
  static Result<BanList> load(const std::string& path, int64_t now_s, int64_t ttl_s);

  // Adds (or refreshes) an address and rewrites the file. Returns true when
  // the address was not banned before.
  Result<bool> add(const std::string& ip, int64_t now_s);
  // Drops the entries older than the TTL at now_s and rewrites the file when
  // any went. Returns how many went; io_error when the rewrite failed (the
  // entries are gone from memory either way).
  Result<size_t> expire(int64_t now_s);
  const std::map<std::string, int64_t>& entries() const { return entries_; }

 private:
  Status save() const;
  std::string path_;
  int64_t ttl_s_ = 0;
  std::map<std::string, int64_t> entries_;  // ip -> banned at, unix seconds
};

}  // namespace bc
