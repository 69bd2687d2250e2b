// bcctl's configuration file: named contexts, kubectl style. TOML at
// --config, else $BCCTL_CONFIG, else $XDG_CONFIG_HOME/branchcast/bcctl.toml
// (~/.config/branchcast/bcctl.toml). It holds admin tokens, so it is written
// 0600 and refused when group or others can read it.
//
//   current = "prod"
//   [contexts.prod]
//   tracker = "https://tracker.corp:8443"
//   ca_file = "/home/me/.config/branchcast/prod-ca.pem"   # the pinned CA
//   ca_fingerprint = "3f9a..."                             # its SHA-256, for people
//   token = "bct_..."
//   insecure_plain_http = false
#pragma once

#include <map>
#include <string>

#include "layers/util/status.hpp"

namespace bc::ctl {

struct Context {
  std::string tracker;         // https://HOST:PORT (http only with insecure_plain_http)
  std::string ca_file;         // the pinned CA certificate (PEM); required for https
  std::string ca_fingerprint;  // SHA-256 of its DER, lower-case hex
  std::string token;           // admin bearer token (a secret: never printed)
  bool insecure_plain_http = false;
};

struct CtlConfig {
  std::string current;                      // "" = none chosen
  std::map<std::string, Context> contexts;  // by name
};

// The path bcctl uses: `flag` when set, else $BCCTL_CONFIG, else the XDG path.
std::string config_path(const std::string& flag);

// A missing file is an empty config. invalid_argument naming the file and
// key for bad TOML; permission_denied when the file is not private (chmod 600).
Result<CtlConfig> load_config(const std::string& path);
// Writes atomically, mode 0600, creating the directory (0700).
Status save_config(const std::string& path, const CtlConfig& c);

// Context names: 1..64 of [A-Za-z0-9._-].
Status check_context_name(const std::string& name);

// The context a command uses: `flag` (--context) else the current one.
// not_found naming the known contexts, or saying how to add one.
Result<Context> pick_context(const CtlConfig& c, const std::string& flag, std::string* name_out = nullptr);

}  // namespace bc::ctl
