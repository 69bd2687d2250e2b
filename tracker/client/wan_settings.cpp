#include "tracker/client/wan_settings.hpp"

namespace bc::tracker {

namespace {
void note(WanSettings& w, const std::string& what) {
  if (!w.problem.empty()) w.problem += "; ";
  w.problem += what;
}
}  // namespace

WanSettings wan_settings_from_desired(const nlohmann::json& desired) {
  WanSettings w;
  if (!desired.is_object()) {
    note(w, "desired state is not an object");
    return w;
  }
  if (desired.contains("probe_port")) {
    const auto& p = desired["probe_port"];
    if (p.is_number_unsigned() && p.get<uint64_t>() >= 1 && p.get<uint64_t>() <= 65535)
      w.probe_port = uint16_t(p.get<uint64_t>());
    else
      note(w, "probe_port is not a port number: " + p.dump().substr(0, 64));
  }
  if (desired.contains("wan_policy")) {
    const std::string text = desired["wan_policy"].dump();
    auto decoded = text.size() <= governor::kMaxPolicyJsonBytes
                       ? governor::WanPolicy::decode(text)
                       : Result<governor::WanPolicy>(Status::invalid_argument("larger than 64 KiB"));
    if (decoded.ok()) w.policy = *decoded;
    else note(w, "wan_policy refused, using the default policy: " + decoded.status().message());
  }
  if (desired.contains("wan_share")) {
    const auto& s = desired["wan_share"];
    if (s.is_number() && s.get<double>() > 0 && s.get<double>() <= 1) w.share = s.get<double>();
    else note(w, "wan_share is not in (0, 1]: " + s.dump().substr(0, 64));
  }
  return w;
}

}  // namespace bc::tracker
