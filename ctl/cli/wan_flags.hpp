// The WAN policy flags of `bcctl branch create|set` turned into the branch's
// policy document (layers/governor/wan_policy.hpp, schema 1), checked with
// the nodes' own decoder before it is sent, so a bad cap or window fails
// here with the field named instead of being stored and ignored by nodes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/util/status.hpp"

namespace bc::ctl {

struct WanFlags {
  std::string cap;                   // --cap RATE: default download cap; "none" removes it
  std::string upload_cap;            // --upload-cap RATE
  std::vector<std::string> windows;  // --window "DAYS HH:MM-HH:MM RATE", appended
  bool clear_windows = false;        // --clear-windows
  std::optional<int> utc_offset_min; // --utc-offset-min
  std::string policy_file;           // --policy-file: a whole policy document (replaces)
  bool no_policy = false;            // --no-policy: remove the policy
  bool any() const {
    return !cap.empty() || !upload_cap.empty() || !windows.empty() || clear_windows || utc_offset_min ||
           !policy_file.empty() || no_policy;
  }
};

// "2500000", "2.5MB", "512KiB", "80%" -> {"bytes_per_s": N} / {"percent": P};
// "none" -> null. invalid_argument naming `flag` otherwise.
Result<nlohmann::json> parse_rate(const std::string& text, const std::string& flag);

// "mon-fri 08:00-18:00 256KiB" -> {"days": ["mon-fri"], "start", "end", "download": {...}}.
Result<nlohmann::json> parse_window(const std::string& text);

// `current` (the branch's wan_policy, or null) changed by the flags; null
// when the result is no policy. Validated with WanPolicy::decode.
Result<nlohmann::json> apply_wan_flags(const nlohmann::json& current, const WanFlags& f);

}  // namespace bc::ctl
