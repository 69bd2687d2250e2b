// Validation of request JSON: every field a client sends is checked for type,
// size and shape here, with a message naming the field and the rule broken.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/model/manifest.hpp"
#include "tracker/api/api_limits.hpp"
#include "tracker/http/message.hpp"

namespace bc::tracker {

// The request body as a JSON object (depth, size and list bounds enforced).
// An empty body is {} when allow_empty.
Result<nlohmann::json> parse_body(const HttpRequest& req, const ApiLimits& limits,
                                  bool allow_empty = false);

// invalid_argument when `obj` has a key outside `allowed` (typos are errors).
Status check_fields(const nlohmann::json& obj, const std::set<std::string>& allowed);

// Typed optional/required getters; `key` names the field in messages.
Result<std::string> req_string(const nlohmann::json& obj, const char* key, const ApiLimits& l);
Result<std::optional<std::string>> opt_string(const nlohmann::json& obj, const char* key,
                                              const ApiLimits& l);
Result<std::optional<int64_t>> opt_int(const nlohmann::json& obj, const char* key, int64_t lo,
                                       int64_t hi);
Result<std::optional<bool>> opt_bool(const nlohmann::json& obj, const char* key);
// A list of strings (absent = empty); bounded by max_list_items.
Result<std::vector<std::string>> string_list(const nlohmann::json& obj, const char* key,
                                             const ApiLimits& l, bool required);
// A flat object of string values (absent = empty); bounded by max_map_entries.
Result<std::map<std::string, std::string>> string_map(const nlohmann::json& obj, const char* key,
                                                      const ApiLimits& l);
// A stack: list of "name@version" refs, no duplicates.
Result<std::vector<LayerRef>> layer_stack(const nlohmann::json& obj, const char* key,
                                          const ApiLimits& l);

// Names of branches and groups: [a-z0-9][a-z0-9._-]{0,63}.
Status check_name(const std::string& what, const std::string& name);
// Node ids: an Ed25519 public key as 64 lower-case hex digits.
Status check_node_id(const std::string& id);

}  // namespace bc::tracker
