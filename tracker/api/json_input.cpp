#include "tracker/api/json_input.hpp"

#include "layers/crypto/ed25519.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/json.hpp"

namespace bc::tracker {

namespace {
using nlohmann::json;

Status check_lists(const json& j, const ApiLimits& l, const std::string& where) {
  if (j.is_array()) {
    if (j.size() > l.max_list_items)
      return Status::invalid_argument(where + " has " + std::to_string(j.size()) +
                                      " items; the limit is " + std::to_string(l.max_list_items));
    for (size_t i = 0; i < j.size(); ++i)
      BC_RETURN_IF_ERROR(check_lists(j[i], l, where + "[" + std::to_string(i) + "]"));
  } else if (j.is_object()) {
    if (j.size() > l.max_list_items)
      return Status::invalid_argument(where + " has " + std::to_string(j.size()) +
                                      " keys; the limit is " + std::to_string(l.max_list_items));
    for (auto it = j.begin(); it != j.end(); ++it)
      BC_RETURN_IF_ERROR(check_lists(it.value(), l, where + "." + it.key()));
  } else if (j.is_string() && j.get_ref<const std::string&>().size() > l.max_string_bytes * 4) {
    return Status::invalid_argument(where + " is a string longer than " +
                                    std::to_string(l.max_string_bytes * 4) + " bytes");
  }
  return Status();
}
}  // namespace

Result<json> parse_body(const HttpRequest& req, const ApiLimits& limits, bool allow_empty) {
  if (req.body.empty() && allow_empty) return json::object();
  if (req.body.empty()) return Status::invalid_argument("request body must be a JSON object");
  BC_ASSIGN_OR_RETURN(json j, parse_json(req.body, JsonLimits{req.body.size(), limits.max_json_depth}));
  if (!j.is_object()) return Status::invalid_argument("request body must be a JSON object");
  BC_RETURN_IF_ERROR(check_lists(j, limits, "body"));
  return j;
}

Status check_fields(const json& obj, const std::set<std::string>& allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (!allowed.count(it.key()))
      return Status::invalid_argument("unknown field '" + printable(it.key().substr(0, 64)) + "'");
  return Status();
}

Result<std::string> req_string(const json& obj, const char* key, const ApiLimits& l) {
  return json_string(obj, key, "body", l.max_string_bytes);
}

Result<std::optional<std::string>> opt_string(const json& obj, const char* key, const ApiLimits& l) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>();
  BC_ASSIGN_OR_RETURN(std::string s, req_string(obj, key, l));
  return std::optional<std::string>(std::move(s));
}

Result<std::optional<int64_t>> opt_int(const json& obj, const char* key, int64_t lo, int64_t hi) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
  BC_ASSIGN_OR_RETURN(int64_t v, json_int(obj, key, "body", lo, hi));
  return std::optional<int64_t>(v);
}

Result<std::optional<bool>> opt_bool(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean())
    return Status::invalid_argument(std::string("body: field '") + key + "' must be a boolean");
  return std::optional<bool>(it->get<bool>());
}

Result<std::vector<std::string>> string_list(const json& obj, const char* key, const ApiLimits& l,
                                             bool required) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  std::string where = std::string("body: field '") + key + "'";
  if (it == obj.end() || it->is_null()) {
    if (required) return Status::invalid_argument(where + " is missing");
    return out;
  }
  if (!it->is_array()) return Status::invalid_argument(where + " must be a list of strings");
  if (it->size() > l.max_list_items)
    return Status::invalid_argument(where + " has " + std::to_string(it->size()) +
                                    " items; the limit is " + std::to_string(l.max_list_items));
  for (size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (!v.is_string())
      return Status::invalid_argument(where + " item " + std::to_string(i) + " must be a string");
    if (v.get_ref<const std::string&>().size() > l.max_string_bytes)
      return Status::invalid_argument(where + " item " + std::to_string(i) + " is too long");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> string_map(const json& obj, const char* key,
                                                      const ApiLimits& l) {
  std::map<std::string, std::string> out;
  auto it = obj.find(key);
  std::string where = std::string("body: field '") + key + "'";
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_object()) return Status::invalid_argument(where + " must be an object of strings");
  if (it->size() > l.max_map_entries)
    return Status::invalid_argument(where + " has " + std::to_string(it->size()) +
                                    " entries; the limit is " + std::to_string(l.max_map_entries));
  for (auto e = it->begin(); e != it->end(); ++e) {
    if (!e.value().is_string())
      return Status::invalid_argument(where + " entry '" + printable(e.key().substr(0, 64)) +
                                      "' must be a string");
    if (e.key().empty() || e.key().size() > 128 || e.value().get_ref<const std::string&>().size() > l.max_string_bytes)
      return Status::invalid_argument(where + " entry '" + printable(e.key().substr(0, 64)) +
                                      "': key must be 1..128 bytes and value at most " +
                                      std::to_string(l.max_string_bytes));
    out[e.key()] = e.value().get<std::string>();
  }
  return out;
}

Result<std::vector<LayerRef>> layer_stack(const json& obj, const char* key, const ApiLimits& l) {
  BC_ASSIGN_OR_RETURN(auto items, string_list(obj, key, l, true));
  std::vector<LayerRef> out;
  for (size_t i = 0; i < items.size(); ++i) {
    auto r = LayerRef::parse(items[i]);
    if (!r.ok())
      return Status::invalid_argument(std::string("body: ") + key + "[" + std::to_string(i) + "]: " +
                                      r.status().message());
    for (const auto& prev : out)
      if (prev.name == r->name)
        return Status::invalid_argument(std::string("body: ") + key + " names layer '" + r->name +
                                        "' twice");
    out.push_back(*r);
  }
  return out;
}

Status check_name(const std::string& what, const std::string& name) {
  std::string problem = layer_name_problem(name);
  if (!problem.empty()) return Status::invalid_argument(what + " name: " + problem);
  return Status();
}

Status check_node_id(const std::string& id) {
  bool lower_hex = id.size() == 64;
  for (char c : id) lower_hex = lower_hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!lower_hex)
    return Status::invalid_argument("node id '" + printable(id.substr(0, 80)) +
                                    "' is not 64 lower-case hex digits");
  return Status();
}

}  // namespace bc::tracker
