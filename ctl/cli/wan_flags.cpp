#include "ctl/cli/wan_flags.hpp"

#include <cmath>
#include <sstream>

#include "layers/governor/wan_policy.hpp"
#include "layers/util/fs.hpp"

namespace bc::ctl {

using nlohmann::json;

Result<json> parse_rate(const std::string& text, const std::string& flag) {
  if (text == "none") return json(nullptr);
  auto bad = [&] {
    return Status::invalid_argument(flag + " " + text +
                                    ": give bytes per second (2500000, 2.5MB, 512KiB, 1GiB), a share of the link "
                                    "(80%) or none");
  };
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (...) {
    return bad();
  }
  const std::string unit = text.substr(used);
  if (!(v > 0) || !std::isfinite(v)) return bad();
  if (unit == "%") {
    if (v > 100) return Status::invalid_argument(flag + " " + text + ": a share is at most 100%");
    return json{{"percent", v}};
  }
  static const std::pair<const char*, double> kUnits[] = {
      {"", 1}, {"B", 1}, {"k", 1e3}, {"K", 1e3}, {"KB", 1e3}, {"KiB", 1024}, {"M", 1e6}, {"MB", 1e6},
      {"MiB", 1048576}, {"G", 1e9}, {"GB", 1e9}, {"GiB", 1073741824}};
  for (const auto& [u, mult] : kUnits)
    if (unit == u) return json{{"bytes_per_s", int64_t(std::llround(v * mult))}};
  return bad();
}

Result<json> parse_window(const std::string& text) {
  std::istringstream in(text);
  std::string days, span, rate, extra;
  in >> days >> span >> rate >> extra;
  const size_t dash = span.find('-');
  if (rate.empty() || !extra.empty() || dash == std::string::npos)
    return Status::invalid_argument("--window '" + text + "': give \"DAYS HH:MM-HH:MM RATE\", e.g. \"mon-fri 08:00-18:00 256KiB\"");
  BC_ASSIGN_OR_RETURN(json cap, parse_rate(rate, "--window"));
  if (cap.is_null()) return Status::invalid_argument("--window '" + text + "': a window needs a rate, not none");
  json days_list = json::array();
  std::string d;
  std::istringstream ds(days);
  while (std::getline(ds, d, ','))
    if (!d.empty()) days_list.push_back(d);
  return json{{"days", days_list}, {"start", span.substr(0, dash)}, {"end", span.substr(dash + 1)}, {"download", cap}};
}

Result<json> apply_wan_flags(const json& current, const WanFlags& f) {
  if (f.no_policy) return json(nullptr);
  json p = current.is_object() ? current : json{{"schema", 1}};
  if (!f.policy_file.empty()) {
    BC_ASSIGN_OR_RETURN(std::string text, read_small_file(f.policy_file, governor::kMaxPolicyJsonBytes));
    p = json::parse(text, nullptr, false);
    if (!p.is_object()) return Status::invalid_argument("--policy-file " + f.policy_file + ": not a JSON object");
  }
  auto set_cap = [&](const std::string& flag_value, const char* flag, const char* dir) -> Status {
    if (flag_value.empty()) return Status();
    BC_ASSIGN_OR_RETURN(json cap, parse_rate(flag_value, flag));
    if (!p.contains("default") || !p["default"].is_object()) p["default"] = json::object();
    if (cap.is_null()) p["default"].erase(dir);
    else p["default"][dir] = cap;
    return Status();
  };
  BC_RETURN_IF_ERROR(set_cap(f.cap, "--cap", "download"));
  BC_RETURN_IF_ERROR(set_cap(f.upload_cap, "--upload-cap", "upload"));
  if (f.clear_windows) p.erase("windows");
  for (const auto& w : f.windows) {
    BC_ASSIGN_OR_RETURN(json win, parse_window(w));
    if (!p.contains("windows") || !p["windows"].is_array()) p["windows"] = json::array();
    p["windows"].push_back(win);
  }
  if (f.utc_offset_min) p["utc_offset_min"] = *f.utc_offset_min;
  auto check = governor::WanPolicy::decode(p.dump());
  if (!check.ok()) return Status::invalid_argument("WAN policy: " + check.status().message());
  return p;
}

}  // namespace bc::ctl
