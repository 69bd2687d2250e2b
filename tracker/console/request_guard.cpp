#include "tracker/console/request_guard.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

#include "layers/util/fs.hpp"

namespace bc::tracker {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

bool has_header(const HttpResponse& res, std::string_view name) {
  for (const auto& [k, v] : res.headers)
    if (lower(k) == name) return true;
  return false;
}

}  // namespace

std::optional<HttpResponse> refuse_cross_site(const HttpRequest& req) {
  if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") return std::nullopt;
  auto it = req.headers.find("origin");
  if (it == req.headers.end()) return std::nullopt;
  const std::string origin = lower(it->second), host = lower(req.header("host"));
  std::string authority;
  for (const char* scheme : {"https://", "http://"})
    if (origin.rfind(scheme, 0) == 0) authority = origin.substr(std::string_view(scheme).size());
  if (!authority.empty() && !host.empty() && authority == host) return std::nullopt;
  return HttpResponse::error(403, "cross-site request refused: Origin " + printable(it->second.substr(0, 200)) +
                                      " is not this tracker (Host " + printable(host.substr(0, 200)) +
                                      "); send state-changing requests from the tracker's own console or "
                                      "without an Origin header");
}

void apply_etag(const HttpRequest& req, HttpResponse& res) {
  if (req.method != "GET" || res.status != 200 || res.content_type != "application/json") return;
  if (has_header(res, "etag")) return;
  char buf[40];
  std::snprintf(buf, sizeof buf, "W/\"%016zx-%zx\"", std::hash<std::string>{}(res.body), res.body.size());
  res.headers.emplace_back("ETag", buf);
  if (req.header("if-none-match") == buf) {
    res.status = 304;
    res.body.clear();
  }
}

}  // namespace bc::tracker
