#include "ctl/cli/rollout_view.hpp"

#include <cmath>
#include <sstream>

#include "ctl/cli/table.hpp"

namespace bc::ctl {

using nlohmann::json;

namespace {

int64_t i64(const json& o, const char* k) {
  return o.is_object() && o.contains(k) && o[k].is_number() ? o[k].get<int64_t>() : 0;
}

std::string eta_text(const json& l) {
  if (i64(l, "done") == i64(l, "total")) return "done";
  if (!l.contains("eta_s") || !l["eta_s"].is_number()) return "?";
  const int64_t s = std::llround(l["eta_s"].get<double>());
  if (s < 120) return std::to_string(s) + "s";
  if (s < 7200) return std::to_string(s / 60) + "m";
  return std::to_string(s / 3600) + "h" + std::to_string(s / 60 % 60) + "m";
}

std::string wan_text(const json& b) {
  const json wan = b.value("wan", json::object());
  std::string s = "WAN " + human_rate(wan.value("rate_bytes_per_s", 0.0));
  if (b.contains("cap_bytes_per_s") && b["cap_bytes_per_s"].is_number())
    s += " of " + human_rate(double(b["cap_bytes_per_s"].get<int64_t>())) + " cap";
  else
    s += " (no cap)";
  if (b.contains("window") && b["window"].is_string()) s += " [window " + b["window"].get<std::string>() + "]";
  return s + ", " + human_bytes(i64(wan, "bytes")) + " so far";
}

}  // namespace

std::string render_rollout(const json& status, const std::string& only) {
  std::ostringstream out;
  out << "rollout at " << utc_time(i64(status, "time")) << "\n";
  for (const auto& b : status.value("branches", json::array())) {
    if (!only.empty() && b.value("name", "") != only) continue;
    const json refl = b.value("reflectors", json::object());
    out << "\nbranch " << b.value("name", "?") << "  reflectors " << i64(refl, "alive") << "/" << i64(refl, "total")
        << " alive  endpoints " << i64(b, "endpoints") << "\n  " << wan_text(b) << "\n";
    const json src = b.value("bytes_by_source", json::object());
    out << "  bytes by source: origin " << human_bytes(i64(src, "origin")) << ", reflector "
        << human_bytes(i64(src, "reflector")) << ", peer " << human_bytes(i64(src, "peer")) << "\n";
    Table t({"  LAYER", "DONE", "PROGRESS", "BYTES", "DOWNLOADING", "FAILED", "ETA"});
    for (const auto& l : b.value("layers", json::array())) {
      const int64_t bt = i64(l, "bytes_total"), bd = i64(l, "bytes_done");
      t.row({"  " + l.value("ref", "?"), std::to_string(i64(l, "done")) + "/" + std::to_string(i64(l, "total")),
             progress_bar(bt ? double(bd) / double(bt) : 1.0, 24), human_bytes(bd) + " / " + human_bytes(bt),
             std::to_string(i64(l, "downloading")), std::to_string(i64(l, "failed")), eta_text(l)});
    }
    std::ostringstream table;
    t.print(table);
    out << (t.size() ? table.str() : "  no endpoint of this branch has a layer in its desired stack\n");
    for (const auto& e : b.value("errors", json::array()))
      out << "  error " << short_id(e.value("node", "?")) << " at " << utc_time(i64(e, "time")) << ": "
          << e.value("error", "") << "\n";
    std::vector<std::string> slow;
    for (const auto& s : b.value("stragglers", json::array())) slow.push_back(short_id(s.is_string() ? s.get<std::string>() : "?"));
    if (!slow.empty()) out << "  stragglers: " << join(slow, ", ") << "\n";
  }
  return out.str();
}

std::string render_rollout_lines(const json& status, const std::string& only) {
  std::ostringstream out;
  const std::string when = utc_time(i64(status, "time"));
  for (const auto& b : status.value("branches", json::array())) {
    if (!only.empty() && b.value("name", "") != only) continue;
    out << when << " " << b.value("name", "?") << " " << wan_text(b) << "\n";
    for (const auto& l : b.value("layers", json::array()))
      out << when << " " << b.value("name", "?") << " " << l.value("ref", "?") << " " << i64(l, "done") << "/"
          << i64(l, "total") << " done, " << human_bytes(i64(l, "bytes_done")) << " / "
          << human_bytes(i64(l, "bytes_total")) << ", eta " << eta_text(l) << "\n";
    for (const auto& e : b.value("errors", json::array()))
      out << when << " " << b.value("name", "?") << " error " << short_id(e.value("node", "?")) << ": "
          << e.value("error", "") << "\n";
  }
  return out.str();
}

}  // namespace bc::ctl
