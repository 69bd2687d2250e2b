#include "tracker/http/message.hpp"

#include <cctype>

#include "layers/util/hex.hpp"

namespace bc::tracker {

const std::string& HttpRequest::header(const std::string& name) const {
  static const std::string empty;
  auto it = headers.find(name);
  return it == headers.end() ? empty : it->second;
}

const std::string* HttpRequest::query_param(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? nullptr : &it->second;
}

HttpResponse HttpResponse::json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Status check_host_field(int version, int host_fields) {
  if (version >= 11 && host_fields == 0) return Status::invalid_argument("HTTP/1.1 request without a Host field");
  if (host_fields > 1) return Status::invalid_argument("request with " + std::to_string(host_fields) + " Host fields");
  return Status();
}

bool is_json_media_type(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  size_t start = type.find_first_not_of(" \t");
  if (start == std::string::npos) return false;
  type = type.substr(start);
  for (char& c : type) c = char(std::tolower(static_cast<unsigned char>(c)));
  return type == "application/json";
}

HttpResponse HttpResponse::error(int status, const std::string& message) {
  return json(status, nlohmann::json{{"error", message}});
}

int http_status_for(const Status& s) {
  using C = Status::Code;
  switch (s.code()) {
    case C::ok: return 200;
    case C::invalid_argument: return 400;
    case C::permission_denied: return 403;
    case C::not_found: return 404;
    case C::already_exists:
    case C::aborted: return 409;
    case C::corruption:
    case C::unsupported: return 422;
    case C::no_space: return 507;
    case C::unavailable: return 503;
    default: return 500;
  }
}

HttpResponse HttpResponse::from_status(const Status& s) { return error(http_status_for(s), s.message()); }

namespace {
// Query values may carry any byte (BitTorrent info-hashes are binary); paths
// and keys may not hold NUL.
Result<std::string> decode(std::string_view s, bool plus_is_space, bool allow_nul = false) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return Status::invalid_argument("truncated percent escape in request target");
      int hi = hex_digit_value(s[i + 1]), lo = hex_digit_value(s[i + 2]);
      if (hi < 0 || lo < 0) return Status::invalid_argument("bad percent escape in request target");
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0' && !allow_nul) return Status::invalid_argument("NUL byte in request target");
    out.push_back(c);
  }
  return out;
}
}  // namespace

Status parse_target(const std::string& target, std::string* path,
                    std::map<std::string, std::string>* query, size_t max_params) {
  if (target.empty() || target[0] != '/')
    return Status::invalid_argument("request target must start with '/'");
  auto q = target.find('?');
  BC_ASSIGN_OR_RETURN(*path, decode(std::string_view(target).substr(0, q), false));
  query->clear();
  if (q == std::string::npos) return Status();
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    BC_ASSIGN_OR_RETURN(std::string k, decode(pair.substr(0, eq), true));
    std::string v;
    if (eq != std::string_view::npos) {
      BC_ASSIGN_OR_RETURN(v, decode(pair.substr(eq + 1), true, true));
    }
    if (query->size() >= max_params)
      return Status::invalid_argument("more than " + std::to_string(max_params) + " query parameters");
    query->emplace(std::move(k), std::move(v));  // a repeated key keeps its first value
  }
  return Status();
}

}  // namespace bc::tracker
