#include "layers/util/json.hpp"

#include <algorithm>

namespace bc {

namespace {

// The deepest nesting of objects and arrays in `text`, stopping early once it
// passes `limit`. One pass, outside string literals only. nlohmann 3.11.2's
// parser callback, the obvious way to limit depth, rescans the parent on
// every closing object: 150,000 empty objects (439 KiB) cost 4-12 s. This scan
// plus a callback-free parse is linear.
int nesting_depth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) break;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

Result<nlohmann::json> parse_json(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes)
    return Status::invalid_argument("JSON document of " + std::to_string(text.size()) +
                                    " bytes exceeds the limit of " +
                                    std::to_string(limits.max_bytes));
  if (nesting_depth(text, limits.max_depth) > limits.max_depth)
    return Status::invalid_argument("JSON nesting deeper than " + std::to_string(limits.max_depth));
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    return Status::invalid_argument(std::string("malformed JSON: ") + e.what());
  }
}

Result<std::string> json_string(const nlohmann::json& obj, const char* key,
                                const std::string& where, size_t max_len) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::invalid_argument(where + ": missing field '" + key + "'");
  if (!it->is_string())
    return Status::invalid_argument(where + ": field '" + key + "' must be a string");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_len)
    return Status::invalid_argument(where + ": field '" + key + "' is longer than " +
                                    std::to_string(max_len) + " bytes");
  return s;
}

Result<int64_t> json_int(const nlohmann::json& obj, const char* key, const std::string& where,
                         int64_t min, int64_t max) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::invalid_argument(where + ": missing field '" + key + "'");
  if (!it->is_number_integer())
    return Status::invalid_argument(where + ": field '" + key + "' must be an integer");
  int64_t v = it->is_number_unsigned() && it->get<uint64_t>() > uint64_t(INT64_MAX)
                  ? INT64_MAX
                  : it->get<int64_t>();
  if (v < min || v > max)
    return Status::invalid_argument(where + ": field '" + key + "' = " + std::to_string(v) +
                                    " is outside [" + std::to_string(min) + ", " +
                                    std::to_string(max) + "]");
  return v;
}

}  // namespace bc
