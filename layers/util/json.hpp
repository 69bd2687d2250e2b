// Bounded JSON parsing: every JSON document that comes from a file or the
// network goes through here, so size and nesting are limited in one place.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "layers/util/status.hpp"

namespace bc {

struct JsonLimits {
  size_t max_bytes = 1 << 20;  // whole document, bytes; default 1 MiB
  int max_depth = 16;          // objects and arrays open at once, at most; default 16
};

// Parses `text`; invalid_argument with the parser's position and reason on
// malformed input, or when a limit is exceeded. Never throws. Time is linear
// in the size of `text` (limits are checked before the parse).
Result<nlohmann::json> parse_json(std::string_view text, const JsonLimits& limits = {});

// Typed field access for decoders: invalid_argument naming the field when it is
// missing or of the wrong type. `where` prefixes the message ("entry 3").
Result<std::string> json_string(const nlohmann::json& obj, const char* key, const std::string& where,
                                size_t max_len = 4096);
Result<int64_t> json_int(const nlohmann::json& obj, const char* key, const std::string& where,
                         int64_t min, int64_t max);

}  // namespace bc
