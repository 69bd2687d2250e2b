#include "layers/util/json.hpp"

namespace bc {

namespace {
struct TooDeep {};
}  // namespace

Result<nlohmann::json> parse_json(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes)
    return Status::invalid_argument("JSON document of " + std::to_string(text.size()) +
                                    " bytes exceeds the limit of " +
                                    std::to_string(limits.max_bytes));
  int max_depth = limits.max_depth;
  auto cb = [max_depth](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > max_depth) throw TooDeep{};
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), cb);
  } catch (const TooDeep&) {
    return Status::invalid_argument("JSON nesting deeper than " + std::to_string(max_depth));
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
