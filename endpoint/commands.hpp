// bc-endpoint's commands, callable without the CLI (main.cpp parses flags).
// Each returns a process exit code after printing what happened.
#pragma once

#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::endpoint {

inline constexpr const char* kDefaultDir = "/var/lib/branchcast/endpoint";

struct EnrollArgs {
  std::string tracker_url;         // https://HOST:PORT
  std::string tracker_ca_file;     // --tracker-ca: the tracker's CA (PEM) given out of band
  std::string tracker_ca_fingerprint;  // --tracker-ca-fingerprint: its SHA-256 (hex)
  bool insecure_plain_http = false;    // an http:// tracker URL: no TLS (tests only)
  bool insecure_plain_peers = false;   // plain torrents and sockets between peers (measurements only)
  std::string token;               // enrollment token
  std::string dir = kDefaultDir;   // state directory
  std::string root = "/";          // target tree
  std::string tracker_pubkey_file; // pinned tracker key (hex file); empty = trust GET /api/v1/tracker now
  std::string branch;              // optional requested branch
  std::string listen = "0.0.0.0:6881";
  int poll_interval_ms = 10'000;
  int64_t lan_download_limit_bytes_per_s = 0;
  std::string hardware_root = "/";  // hardware facts from ROOT/sys and ROOT/proc
};
Status enroll_command(const EnrollArgs& a);

struct RunArgs {
  std::string dir = kDefaultDir;
  bool exit_when_converged = false;
  int64_t max_run_ms = 0;
  int64_t retry_after_ms = 30'000;
};
Status run_command(const RunArgs& a);

Status status_command(const std::string& dir, bool as_json);
Status rollback_command(const std::string& dir);

}  // namespace bc::endpoint
