#include "tracker/bt/query.hpp"

#include <cstdio>

#include "layers/util/hex.hpp"

namespace bc::tracker::bt {
namespace {

bool key_char_ok(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

Status check_key(const std::string& key, size_t offset) {
  if (key.empty()) return Status::invalid_argument("empty parameter name at offset " + std::to_string(offset));
  if (key.size() > kMaxQueryKeyBytes)
    return Status::invalid_argument("parameter name at offset " + std::to_string(offset) + " is longer than " +
                                    std::to_string(kMaxQueryKeyBytes) + " bytes");
  for (char c : key)
    if (!key_char_ok(c))
      return Status::invalid_argument("parameter name " + quoted(key) + " at offset " +
                                      std::to_string(offset) + " holds a byte outside [A-Za-z0-9_.-]");
  return Status();
}

}  // namespace

Status QueryLimits::validate() const {
  if (max_query_bytes == 0 || max_params == 0 || max_value_bytes == 0)
    return Status::invalid_argument("QueryLimits: every limit must be positive");
  return Status();
}

std::string printable_value(std::string_view value) {
  std::string out;
  size_t n = 0;
  for (unsigned char c : value) {
    if (n++ == 24) {
      out += "...";
      break;
    }
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out += char(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string quoted(std::string_view value) {
  std::string out(1, '\'');
  out += printable_value(value);
  out += '\'';
  return out;
}

Result<std::string> percent_decode(std::string_view raw, std::string_view what) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == '%') {
      int hi = i + 1 < raw.size() ? hex_digit_value(raw[i + 1]) : -1;
      int lo = i + 2 < raw.size() ? hex_digit_value(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return Status::invalid_argument(std::string(what) + ": bad percent-encoding at offset " +
                                        std::to_string(i) + " (" + quoted(raw.substr(i, 3)) + ")");
      out += char(hi * 16 + lo);
      i += 2;
    } else if (c < 0x21 || c > 0x7e) {
      return Status::invalid_argument(std::string(what) + ": unescaped byte " +
                                      quoted(raw.substr(i, 1)) + " at offset " + std::to_string(i));
    } else {
      out += char(c);
    }
  }
  return out;
}

Result<std::vector<QueryParam>> split_query(std::string_view query, const QueryLimits& limits) {
  if (query.size() > limits.max_query_bytes)
    return Status::invalid_argument("query is " + std::to_string(query.size()) + " bytes, more than the limit of " +
                                    std::to_string(limits.max_query_bytes));
  std::vector<QueryParam> params;
  if (query.empty()) return params;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view part = query.substr(start, end - start);
    if (part.empty())
      return Status::invalid_argument("empty parameter at offset " + std::to_string(start));
    if (params.size() == limits.max_params)
      return Status::invalid_argument("more than " + std::to_string(limits.max_params) + " parameters");
    size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      return Status::invalid_argument("parameter at offset " + std::to_string(start) + " (" + quoted(part) + ") has no '='");
    BC_ASSIGN_OR_RETURN(std::string key, percent_decode(part.substr(0, eq), "parameter name"));
    BC_RETURN_IF_ERROR(check_key(key, start));
    BC_ASSIGN_OR_RETURN(std::string value, percent_decode(part.substr(eq + 1), key));
    if (value.size() > limits.max_value_bytes)
      return Status::invalid_argument(key + ": value is " + std::to_string(value.size()) +
                                      " bytes, more than the limit of " + std::to_string(limits.max_value_bytes));
    params.push_back({std::move(key), std::move(value)});
    if (end == query.size()) break;
    start = end + 1;
  }
  return params;
}

}  // namespace bc::tracker::bt
