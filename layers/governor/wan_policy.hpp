// The WAN policy of a branch (or subnet/site): hard caps, time-of-day windows,
// the latency target and the floor rate. Set on the tracker, pushed to nodes as
// JSON, evaluated by the governor every tick. Pure: no clock of its own; the
// caller passes the time.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::governor {

// "No limit" for a rate. Drivers translate it to their own notation
// (libtorrent: 0).
inline constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

// Bounds on a policy document.
inline constexpr size_t kMaxPolicyWindows = 64;
inline constexpr size_t kMaxPolicyJsonBytes = 64 * 1024;
inline constexpr int64_t kMaxRateBytesPerS = int64_t(1) << 40;  // ~8.8 Tbit/s: "any real link"
inline constexpr int kDscpLowerEffort = 1;  // RFC 8622

// A cap on one direction: none, an absolute rate, or a share of the link capacity.
struct RateCap {
  enum class Kind : uint8_t { none, bytes_per_s, percent };
  Kind kind = Kind::none;
  int64_t bytes_per_s = 0;  // kind == bytes_per_s: in [1, kMaxRateBytesPerS]
  double percent = 0;       // kind == percent: in (0, 100]

  static RateCap unlimited() { return {}; }
  static RateCap absolute(int64_t v) { return {Kind::bytes_per_s, v, 0}; }
  static RateCap share(double pct) { return {Kind::percent, 0, pct}; }
  bool operator==(const RateCap&) const = default;
};

struct CapPair {
  RateCap download;  // WAN -> node
  RateCap upload;    // node -> WAN
  bool operator==(const CapPair&) const = default;
};

// Days of the week as a bitmask, bit 0 = Monday .. bit 6 = Sunday.
inline constexpr uint8_t kAllDays = 0x7f;

// A time-of-day window in the policy's local time (UTC + utc_offset_min).
// start < end: [start, end) on each day in `days`. end < start: the window
// wraps past midnight, [start, 24:00) on a day in `days` and [00:00, end) on
// the following day. start == end is refused (use 00:00-24:00 for a whole day).
struct TimeWindow {
  uint8_t days = kAllDays;  // day the window starts on
  int start_min = 0;        // minutes after local midnight, [0, 1439]
  int end_min = 1440;       // minutes after local midnight, [0, 1440]
  CapPair caps;
  bool operator==(const TimeWindow&) const = default;
};

struct WanPolicy {
  int utc_offset_min = 0;             // local time = UTC + this, [-840, 840]; default 0
  CapPair default_caps;               // when no window matches; default no caps
  std::vector<TimeWindow> windows;    // first match wins; at most kMaxPolicyWindows
  int64_t link_down_bytes_per_s = 0;  // declared link capacity for % caps; 0 = use the estimate
  int64_t link_up_bytes_per_s = 0;    // same, upload
  int target_delay_ms = 25;           // added queuing delay the governor aims under; [1, 1000]
  int64_t floor_bytes_per_s = 16384;  // the governor never goes lower (a hard cap may); default 16 KiB/s
  bool latency_aware = true;          // false: the limit is the cap alone
  // DSCP (RFC 2474) every swarm packet of the branch's nodes carries, [0, 63];
  // default 1, Lower-Effort (RFC 8622): routers that honour it put people's
  // traffic first. 0 = unmarked. JSON "dscp", written only when not 1.
  int dscp = kDscpLowerEffort;

  // invalid_argument naming the field ("windows[2].download: ...").
  Status validate() const;
  // Deterministic JSON (schema 1). REQUIRES: validate().ok().
  std::string encode() const;
  // Parses and validates; every error names the field path and the reason.
  static Result<WanPolicy> decode(std::string_view json);
  bool operator==(const WanPolicy&) const = default;
};

// Link capacity in each direction; 0 = unknown.
struct LinkCapacity {
  int64_t down_bytes_per_s = 0;
  int64_t up_bytes_per_s = 0;
};

struct EffectiveCaps {
  int64_t down_cap_bytes_per_s = kNoLimit;
  int64_t up_cap_bytes_per_s = kNoLimit;
  int window_index = -1;  // index into WanPolicy::windows, -1 = the default rule
};

// The window in force at `unix_time_s`, or -1 for the default rule.
int active_window(const WanPolicy& policy, int64_t unix_time_s);

// The caps in force at `unix_time_s`. A percent cap is a share of the declared
// link capacity when set, else of `measured`; when neither is known it resolves
// to the floor rate (conservative: a share of an unknown link is never more than
// the floor). A percent cap never resolves below the floor (absolute caps are
// validated to be >= the floor). A percent cap of 100 is no cap. Pure.
EffectiveCaps effective_caps(const WanPolicy& policy, int64_t unix_time_s, LinkCapacity measured);

// "mon".."sun" -> bit index 0..6; -1 otherwise.
int parse_weekday(std::string_view name);
// "HH:MM" -> minutes, "24:00" allowed when allow_24 ; -1 otherwise.
int parse_hhmm(std::string_view text, bool allow_24);
std::string format_hhmm(int minutes);

}  // namespace bc::governor
