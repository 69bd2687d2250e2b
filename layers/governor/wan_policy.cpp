#include "layers/governor/wan_policy.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "layers/util/fs.hpp"
#include "layers/util/json.hpp"

namespace bc::governor {

using nlohmann::json;

namespace {

const char* const kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Status check_cap(const RateCap& c, const std::string& where, int64_t floor_bytes_per_s) {
  switch (c.kind) {
    case RateCap::Kind::none: return {};
    case RateCap::Kind::percent:
      if (!(c.percent > 0 && c.percent <= 100))
        return Status::invalid_argument(where + ": percent must be in (0, 100]");
      return {};
    case RateCap::Kind::bytes_per_s:
      if (c.bytes_per_s < 1 || c.bytes_per_s > kMaxRateBytesPerS)
        return Status::invalid_argument(where + ": bytes_per_s must be in [1, " +
                                        std::to_string(kMaxRateBytesPerS) + "]");
      if (c.bytes_per_s < floor_bytes_per_s)
        return Status::invalid_argument(where + ": bytes_per_s " + std::to_string(c.bytes_per_s) +
                                        " is below floor_bytes_per_s " +
                                        std::to_string(floor_bytes_per_s));
      return {};
  }
  return Status::internal(where + ": unknown cap kind");
}

Status check_caps(const CapPair& p, const std::string& where, int64_t floor) {
  BC_RETURN_IF_ERROR(check_cap(p.download, where + "download", floor));
  return check_cap(p.upload, where + "upload", floor);
}

Status check_keys(const json& obj, const std::string& where,
                  std::initializer_list<const char*> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (const char* k : allowed) known = known || it.key() == k;
    if (!known)
      return Status::invalid_argument(where + "unknown field '" + printable(it.key()) + "'");
  }
  return {};
}

std::string quoted(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.size() > 32) s = s.substr(0, 32) + "...";
  return "\"" + printable(s) + "\"";
}

// `where` is the field path ("windows[1].download").
Result<RateCap> decode_cap(const json& v, const std::string& where) {
  if (!v.is_object())
    return Status::invalid_argument(where + ": must be an object {\"percent\": P} or {\"bytes_per_s\": N}");
  BC_RETURN_IF_ERROR(check_keys(v, where + ": ", {"percent", "bytes_per_s"}));
  if (v.size() != 1)
    return Status::invalid_argument(where + ": give exactly one of 'percent' or 'bytes_per_s'");
  if (v.contains("percent")) {
    const json& p = v["percent"];
    if (!p.is_number()) return Status::invalid_argument(where + ": percent must be a number");
    double pct = p.get<double>();
    if (!(pct > 0 && pct <= 100)) return Status::invalid_argument(where + ": percent must be in (0, 100]");
    return RateCap::share(pct);
  }
  BC_ASSIGN_OR_RETURN(int64_t n, json_int(v, "bytes_per_s", where, 1, kMaxRateBytesPerS));
  return RateCap::absolute(n);
}

Result<CapPair> decode_caps(const json& obj, const std::string& prefix) {
  CapPair p;
  if (obj.contains("download")) {
    BC_ASSIGN_OR_RETURN(p.download, decode_cap(obj["download"], prefix + "download"));
  }
  if (obj.contains("upload")) {
    BC_ASSIGN_OR_RETURN(p.upload, decode_cap(obj["upload"], prefix + "upload"));
  }
  return p;
}

// "mon", or a range "mon-fri" (may wrap: "sat-mon").
Result<uint8_t> decode_days(const json& v, const std::string& where) {
  if (!v.is_array() || v.empty() || v.size() > 7)
    return Status::invalid_argument(where + ": must be a list of 1 to 7 day names like \"mon\" or \"mon-fri\"");
  uint8_t mask = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string at = where + "[" + std::to_string(i) + "]";
    if (!v[i].is_string()) return Status::invalid_argument(at + ": must be a string");
    std::string s = v[i].get<std::string>();
    size_t dash = s.find('-');
    int a = parse_weekday(s.substr(0, dash));
    int b = dash == std::string::npos ? a : parse_weekday(s.substr(dash + 1));
    if (a < 0 || b < 0)
      return Status::invalid_argument(at + ": " + quoted(v[i]) + " is not a day (mon..sun) or range (mon-fri)");
    for (int d = a;; d = (d + 1) % 7) {
      mask |= uint8_t(1u << d);
      if (d == b) break;
    }
  }
  return mask;
}

Result<int> decode_hhmm(const json& obj, const char* key, const std::string& where, bool allow_24) {
  std::string at = where + "." + key;
  if (!obj.contains(key)) return Status::invalid_argument(at + ": missing");
  const json& v = obj[key];
  int m = v.is_string() ? parse_hhmm(v.get<std::string>(), allow_24) : -1;
  if (m < 0) return Status::invalid_argument(at + ": " + quoted(v) + " is not HH:MM");
  return m;
}

Result<TimeWindow> decode_window(const json& v, const std::string& where) {
  if (!v.is_object()) return Status::invalid_argument(where + ": must be an object");
  BC_RETURN_IF_ERROR(check_keys(v, where + ": ", {"days", "start", "end", "download", "upload"}));
  TimeWindow w;
  if (v.contains("days")) {
    BC_ASSIGN_OR_RETURN(w.days, decode_days(v["days"], where + ".days"));
  }
  BC_ASSIGN_OR_RETURN(w.start_min, decode_hhmm(v, "start", where, false));
  BC_ASSIGN_OR_RETURN(w.end_min, decode_hhmm(v, "end", where, true));
  BC_ASSIGN_OR_RETURN(w.caps, decode_caps(v, where + "."));
  return w;
}

json encode_cap(const RateCap& c) {
  if (c.kind == RateCap::Kind::percent) return json{{"percent", c.percent}};
  return json{{"bytes_per_s", c.bytes_per_s}};
}

void encode_caps(const CapPair& p, json& out) {
  if (p.download.kind != RateCap::Kind::none) out["download"] = encode_cap(p.download);
  if (p.upload.kind != RateCap::Kind::none) out["upload"] = encode_cap(p.upload);
}

int64_t resolve(const RateCap& c, int64_t capacity, int64_t floor) {
  switch (c.kind) {
    case RateCap::Kind::none: return kNoLimit;
    case RateCap::Kind::bytes_per_s: return c.bytes_per_s;
    case RateCap::Kind::percent:
      if (c.percent >= 100) return kNoLimit;
      if (capacity <= 0) return floor;
      return std::max<int64_t>(floor, int64_t(double(capacity) * c.percent / 100.0));
  }
  return kNoLimit;
}

bool window_matches(const TimeWindow& w, int weekday, int minute) {
  auto on = [&](int d) { return (w.days >> d) & 1; };
  if (w.start_min < w.end_min) return on(weekday) && minute >= w.start_min && minute < w.end_min;
  int yesterday = (weekday + 6) % 7;
  return (on(weekday) && minute >= w.start_min) || (on(yesterday) && minute < w.end_min);
}

}  // namespace

int parse_weekday(std::string_view name) {
  for (int i = 0; i < 7; ++i)
    if (name == kDayNames[i]) return i;
  return -1;
}

int parse_hhmm(std::string_view t, bool allow_24) {
  if (t.size() != 5 || t[2] != ':') return -1;
  for (size_t i : {0, 1, 3, 4})
    if (t[i] < '0' || t[i] > '9') return -1;
  int h = (t[0] - '0') * 10 + (t[1] - '0');
  int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (m > 59) return -1;
  if (h == 24 && m == 0 && allow_24) return 1440;
  if (h > 23) return -1;
  return h * 60 + m;
}

std::string format_hhmm(int minutes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

Status WanPolicy::validate() const {
  if (utc_offset_min < -840 || utc_offset_min > 840)
    return Status::invalid_argument("utc_offset_min: must be in [-840, 840]");
  if (target_delay_ms < 1 || target_delay_ms > 1000)
    return Status::invalid_argument("target_delay_ms: must be in [1, 1000]");
  if (floor_bytes_per_s < 1 || floor_bytes_per_s > kMaxRateBytesPerS)
    return Status::invalid_argument("floor_bytes_per_s: must be in [1, " + std::to_string(kMaxRateBytesPerS) + "]");
  if (link_down_bytes_per_s < 0 || link_down_bytes_per_s > kMaxRateBytesPerS)
    return Status::invalid_argument("link_down_bytes_per_s: must be 0 (unknown) or a rate up to 2^40");
  if (link_up_bytes_per_s < 0 || link_up_bytes_per_s > kMaxRateBytesPerS)
    return Status::invalid_argument("link_up_bytes_per_s: must be 0 (unknown) or a rate up to 2^40");
  if (dscp < 0 || dscp > 63) return Status::invalid_argument("dscp: must be a DSCP in [0, 63] (1 = Lower-Effort)");
  BC_RETURN_IF_ERROR(check_caps(default_caps, "default.", floor_bytes_per_s));
  if (windows.size() > kMaxPolicyWindows)
    return Status::invalid_argument("windows: more than " + std::to_string(kMaxPolicyWindows) + " windows");
  for (size_t i = 0; i < windows.size(); ++i) {
    const TimeWindow& w = windows[i];
    std::string at = "windows[" + std::to_string(i) + "]";
    if (w.days == 0 || (w.days & ~kAllDays)) return Status::invalid_argument(at + ".days: no valid day");
    if (w.start_min < 0 || w.start_min > 1439)
      return Status::invalid_argument(at + ".start: must be in 00:00..23:59");
    if (w.end_min < 0 || w.end_min > 1440)
      return Status::invalid_argument(at + ".end: must be in 00:00..24:00");
    if (w.start_min == w.end_min)
      return Status::invalid_argument(at + ": start equals end (" + format_hhmm(w.start_min) +
                                      "); use 00:00-24:00 for a whole day");
    BC_RETURN_IF_ERROR(check_caps(w.caps, at + ".", floor_bytes_per_s));
  }
  return {};
}

std::string WanPolicy::encode() const {
  json j = json::object();
  j["schema"] = 1;
  j["utc_offset_min"] = utc_offset_min;
  j["link_down_bytes_per_s"] = link_down_bytes_per_s;
  j["link_up_bytes_per_s"] = link_up_bytes_per_s;
  j["target_delay_ms"] = target_delay_ms;
  j["floor_bytes_per_s"] = floor_bytes_per_s;
  j["latency_aware"] = latency_aware;
  if (dscp != kDscpLowerEffort) j["dscp"] = dscp;  // the default is left out: older encodings stay byte-identical
  json d = json::object();
  encode_caps(default_caps, d);
  j["default"] = d;
  json ws = json::array();
  for (const auto& w : windows) {
    json o = json::object();
    json days = json::array();
    for (int i = 0; i < 7; ++i)
      if ((w.days >> i) & 1) days.push_back(kDayNames[i]);
    o["days"] = days;
    o["start"] = format_hhmm(w.start_min);
    o["end"] = format_hhmm(w.end_min);
    encode_caps(w.caps, o);
    ws.push_back(o);
  }
  j["windows"] = ws;
  return j.dump();
}

Result<WanPolicy> WanPolicy::decode(std::string_view text) {
  BC_ASSIGN_OR_RETURN(json j, parse_json(text, JsonLimits{kMaxPolicyJsonBytes, 8}));
  if (!j.is_object()) return Status::invalid_argument("WAN policy: must be a JSON object");
  BC_RETURN_IF_ERROR(check_keys(j, "", {"schema", "utc_offset_min", "link_down_bytes_per_s",
                                        "link_up_bytes_per_s", "target_delay_ms", "floor_bytes_per_s",
                                        "latency_aware", "default", "windows", "dscp"}));
  BC_ASSIGN_OR_RETURN(int64_t schema, json_int(j, "schema", "WAN policy", 1, 1));
  (void)schema;
  WanPolicy p;
  auto opt_int = [&](const char* key, int64_t lo, int64_t hi, int64_t& out) -> Status {
    if (!j.contains(key)) return {};
    BC_ASSIGN_OR_RETURN(out, json_int(j, key, "WAN policy", lo, hi));
    return {};
  };
  int64_t v = p.utc_offset_min;
  BC_RETURN_IF_ERROR(opt_int("utc_offset_min", -840, 840, v));
  p.utc_offset_min = int(v);
  v = p.target_delay_ms;
  BC_RETURN_IF_ERROR(opt_int("target_delay_ms", 1, 1000, v));
  p.target_delay_ms = int(v);
  BC_RETURN_IF_ERROR(opt_int("floor_bytes_per_s", 1, kMaxRateBytesPerS, p.floor_bytes_per_s));
  v = p.dscp;
  BC_RETURN_IF_ERROR(opt_int("dscp", 0, 63, v));
  p.dscp = int(v);
  BC_RETURN_IF_ERROR(opt_int("link_down_bytes_per_s", 0, kMaxRateBytesPerS, p.link_down_bytes_per_s));
  BC_RETURN_IF_ERROR(opt_int("link_up_bytes_per_s", 0, kMaxRateBytesPerS, p.link_up_bytes_per_s));
  if (j.contains("latency_aware")) {
    if (!j["latency_aware"].is_boolean())
      return Status::invalid_argument("latency_aware: must be true or false");
    p.latency_aware = j["latency_aware"].get<bool>();
  }
  if (j.contains("default")) {
    const json& d = j["default"];
    if (!d.is_object()) return Status::invalid_argument("default: must be an object");
    BC_RETURN_IF_ERROR(check_keys(d, "default: ", {"download", "upload"}));
    BC_ASSIGN_OR_RETURN(p.default_caps, decode_caps(d, "default."));
  }
  if (j.contains("windows")) {
    const json& ws = j["windows"];
    if (!ws.is_array()) return Status::invalid_argument("windows: must be a list");
    if (ws.size() > kMaxPolicyWindows)
      return Status::invalid_argument("windows: " + std::to_string(ws.size()) + " windows exceed the limit of " +
                                      std::to_string(kMaxPolicyWindows));
    for (size_t i = 0; i < ws.size(); ++i) {
      BC_ASSIGN_OR_RETURN(TimeWindow w, decode_window(ws[i], "windows[" + std::to_string(i) + "]"));
      p.windows.push_back(w);
    }
  }
  BC_RETURN_IF_ERROR(p.validate());
  return p;
}

int active_window(const WanPolicy& policy, int64_t unix_time_s) {
  int64_t local_s = unix_time_s + int64_t(policy.utc_offset_min) * 60;
  int64_t day = floor_div(local_s, 86400);
  int minute = int((local_s - day * 86400) / 60);
  int weekday = int(((day + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday (index 3)
  for (size_t i = 0; i < policy.windows.size(); ++i)
    if (window_matches(policy.windows[i], weekday, minute)) return int(i);
  return -1;
}

EffectiveCaps effective_caps(const WanPolicy& policy, int64_t unix_time_s, LinkCapacity measured) {
  EffectiveCaps out;
  out.window_index = active_window(policy, unix_time_s);
  const CapPair& caps = out.window_index < 0 ? policy.default_caps : policy.windows[out.window_index].caps;
  int64_t down = policy.link_down_bytes_per_s > 0 ? policy.link_down_bytes_per_s : measured.down_bytes_per_s;
  int64_t up = policy.link_up_bytes_per_s > 0 ? policy.link_up_bytes_per_s : measured.up_bytes_per_s;
  out.down_cap_bytes_per_s = resolve(caps.download, down, policy.floor_bytes_per_s);
  out.up_cap_bytes_per_s = resolve(caps.upload, up, policy.floor_bytes_per_s);
  return out;
}

}  // namespace bc::governor
