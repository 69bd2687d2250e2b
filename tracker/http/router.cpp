#include "tracker/http/router.hpp"

namespace bc::tracker {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

void Router::add(std::string method, std::string pattern, HttpHandler handler) {
  Route r;
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

bool Router::match(const Route& r, const std::vector<std::string_view>& segs,
                   std::map<std::string, std::string>* params) {
  if (segs.size() != r.segments.size()) return false;
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < segs.size(); ++i) {
    const std::string& p = r.segments[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      out[p.substr(1, p.size() - 2)] = std::string(segs[i]);
    } else if (p != segs[i]) {
      return false;
    }
  }
  if (params) *params = std::move(out);
  return true;
}

HttpResponse Router::dispatch(HttpRequest& req, std::string* route) const {
  *route = "unmatched";
  auto segs = split_path(req.path);
  if (segs.size() > kMaxSegments) return HttpResponse::error(404, "no such resource: path too deep");
  std::string allow;
  for (const Route& r : routes_) {
    if (!match(r, segs, nullptr)) continue;
    if (r.method != req.method) {
      if (allow.find(r.method) == std::string::npos) allow += (allow.empty() ? "" : ", ") + r.method;
      continue;
    }
    match(r, segs, &req.params);
    *route = r.pattern;
    return r.handler(req);
  }
  if (!allow.empty()) {
    auto res = HttpResponse::error(405, "method " + req.method + " not allowed here (allowed: " + allow + ")");
    res.headers.emplace_back("Allow", allow);
    return res;
  }
  return HttpResponse::error(404, "no such resource: " + req.path);
}

}  // namespace bc::tracker
