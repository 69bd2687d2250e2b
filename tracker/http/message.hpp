// Our request and response types: what handlers see instead of Beast types.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/util/status.hpp"

namespace bc::tracker {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // as received: path and query
  std::string path;                            // percent-decoded path
  std::map<std::string, std::string> query;    // percent-decoded query parameters; values are
                                               // binary-safe; a repeated key keeps its first
                                               // value (parse `target` for all, e.g. BEP 48 scrape)
  std::map<std::string, std::string> params;   // filled by the router from {name} segments
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote_address;                  // peer IP, text form
  std::string request_id;                      // for logs
  int rerun = 0;  // >0 when the server re-runs a long-poll after a change

  // The header's value or "" (name lower-case).
  const std::string& header(const std::string& name) const;
  const std::string* query_param(const std::string& name) const;
};

// RFC 9112 §3.2: an HTTP/1.1 request carries exactly one Host field; a
// server answers 400 to one with none or several. HTTP/1.0 may omit it.
// `version` is 10 or 11; `host_fields` counts the request's Host fields.
Status check_host_field(int version, int host_fields);

// RFC 9110 §8.3, §15.5.16: a request body the API parses as JSON must say so
// (`application/json`, parameters such as charset allowed, case-insensitive).
// True when `content_type` (the header's value) names JSON.
bool is_json_media_type(const std::string& content_type);

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Long poll: a 304 with long_poll_ms > 0 may be held by the server until
  // the state generation moves past `generation` or the time runs out; the
  // server then re-runs the handler (rerun > 0) or sends the 304.
  int64_t long_poll_ms = 0;
  uint64_t generation = 0;

  static HttpResponse json(int status, const nlohmann::json& body);
  // {"error": message}
  static HttpResponse error(int status, const std::string& message);
  // Maps a Status code to an HTTP status (invalid_argument 400, permission_denied
  // 403, not_found 404, already_exists/aborted 409, corruption/unsupported 422,
  // no_space 507, unavailable 503, others 500) with its message.
  static HttpResponse from_status(const Status& s);
};

int http_status_for(const Status& s);

// Splits "path?query" and percent-decodes both. invalid_argument on a bad
// escape, a NUL byte in the path or a key, or too many parameters (max_params).
Status parse_target(const std::string& target, std::string* path,
                    std::map<std::string, std::string>* query, size_t max_params = 32);

}  // namespace bc::tracker
