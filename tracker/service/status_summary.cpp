#include "tracker/service/status_summary.hpp"

#include <set>

#include "layers/model/manifest.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {
Status bad(const std::string& m) { return Status::invalid_argument("body: " + m); }

Result<int64_t> count(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end()) return int64_t(0);
  if (!it->is_number_integer() || it->get<int64_t>() < 0 ||
      (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t(INT64_MAX)))
    return bad(where + "." + key + " must be a non-negative integer");
  return it->get<int64_t>();
}

Result<json> layer_entry(const json& l, size_t i) {
  std::string where = "layers[" + std::to_string(i) + "]";
  static const std::set<std::string> states = {"queued",   "downloading", "verifying",
                                               "complete", "applied",     "failed"};
  if (!l.is_object()) return bad(where + " must be an object");
  for (auto it = l.begin(); it != l.end(); ++it)
    if (it.key() != "ref" && it.key() != "state" && it.key() != "bytes_done" && it.key() != "bytes_total")
      return bad(where + ": unknown field '" + it.key().substr(0, 64) + "'");
  if (!l.contains("ref") || !l["ref"].is_string()) return bad(where + ".ref must be a string");
  auto ref = LayerRef::parse(l["ref"].get<std::string>());
  if (!ref.ok()) return bad(where + ".ref: " + ref.status().message());
  if (!l.contains("state") || !l["state"].is_string() || !states.count(l["state"].get<std::string>()))
    return bad(where + ".state must be one of queued, downloading, verifying, complete, applied, failed");
  BC_ASSIGN_OR_RETURN(int64_t done, count(l, "bytes_done", where));
  BC_ASSIGN_OR_RETURN(int64_t total, count(l, "bytes_total", where));
  return json{{"ref", ref->to_string()}, {"state", l["state"]}, {"bytes_done", done}, {"bytes_total", total}};
}
}  // namespace

Result<json> validate_status_report(const json& body, const ApiLimits& limits) {
  for (auto it = body.begin(); it != body.end(); ++it)
    if (it.key() != "layers" && it.key() != "bytes_by_source" && it.key() != "applied" && it.key() != "last_error")
      return bad("unknown field '" + it.key().substr(0, 64) + "'");
  json out = {{"layers", json::array()}, {"bytes_by_source", json::object()},
              {"applied", json::array()}, {"last_error", ""}};
  const json layers = body.value("layers", json::array());
  if (!layers.is_array()) return bad("layers must be a list");
  if (layers.size() > limits.max_list_items) return bad("layers has too many items");
  for (size_t i = 0; i < layers.size(); ++i) {
    BC_ASSIGN_OR_RETURN(json e, layer_entry(layers[i], i));
    out["layers"].push_back(e);
  }
  const json src = body.value("bytes_by_source", json::object());
  if (!src.is_object()) return bad("bytes_by_source must be an object");
  for (auto it = src.begin(); it != src.end(); ++it) {
    bool known = false;
    for (const char* s : kByteSources) known = known || it.key() == s;
    if (!known) return bad("bytes_by_source: unknown source '" + it.key().substr(0, 64) + "' (origin, reflector, peer)");
  }
  for (const char* s : kByteSources) {
    BC_ASSIGN_OR_RETURN(int64_t n, count(src, s, "bytes_by_source"));
    out["bytes_by_source"][s] = n;
  }
  const json applied = body.value("applied", json::array());
  if (!applied.is_array() || applied.size() > limits.max_list_items) return bad("applied must be a bounded list");
  for (const auto& a : applied) {
    if (!a.is_string() || !LayerRef::parse(a.get<std::string>()).ok())
      return bad("applied items must be layer refs (name@version)");
    out["applied"].push_back(a);
  }
  const json err = body.value("last_error", json(""));
  if (!err.is_string() || err.get_ref<const std::string&>().size() > limits.max_string_bytes)
    return bad("last_error must be a string of at most " + std::to_string(limits.max_string_bytes) + " bytes");
  out["last_error"] = err;
  return out;
}

json summarize_branches(const std::vector<json>& reports) {
  json out = json::object();
  for (const auto& r : reports) {
    std::string b = r.value("branch", "");
    json& s = out[b];
    if (s.is_null())
      s = {{"nodes", 0}, {"endpoints", 0}, {"reflectors", 0}, {"with_errors", 0},
           {"bytes_by_source", {{"origin", 0}, {"reflector", 0}, {"peer", 0}}}, {"layers", json::object()}};
    s["nodes"] = s["nodes"].get<int64_t>() + 1;
    std::string role = r.value("role", "") == "reflector" ? "reflectors" : "endpoints";
    s[role] = s[role].get<int64_t>() + 1;
    if (!r.value("last_error", "").empty()) s["with_errors"] = s["with_errors"].get<int64_t>() + 1;
    for (const char* src : kByteSources)
      s["bytes_by_source"][src] = s["bytes_by_source"][src].get<int64_t>() +
                                  r.value("bytes_by_source", json::object()).value(src, int64_t(0));
    for (const auto& l : r.value("layers", json::array())) {
      json& c = s["layers"][l.value("ref", "?")][l.value("state", "?")];
      c = c.is_null() ? 1 : c.get<int64_t>() + 1;
    }
  }
  return out;
}

}  // namespace bc::tracker
