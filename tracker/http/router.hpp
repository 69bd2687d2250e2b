// Routes requests to handlers by (method, path pattern). Patterns are
// '/'-separated; a segment "{name}" matches one non-empty segment and puts it
// in HttpRequest::params["name"]. Routes are tried in the order added; the
// first whose method and pattern match wins.
//
// This is the seam for the BitTorrent endpoints: the announce and scrape
// handlers are added with
//   router.add("GET", "/announce/{key}", announce_handler);
//   router.add("GET", "/scrape/{key}", scrape_handler);
// A handler runs on a worker thread (never the network thread) and returns
// the whole response; it must not block for long (long polls return a 304
// with long_poll_ms instead of waiting).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tracker/http/message.hpp"

namespace bc::tracker {

using HttpHandler = std::function<HttpResponse(HttpRequest&)>;

class Router {
 public:
  static constexpr size_t kMaxSegments = 16;

  // REQUIRES: pattern starts with '/', has at most kMaxSegments segments.
  void add(std::string method, std::string pattern, HttpHandler handler);

  // Finds the route, fills req.params and runs the handler. 404 when no
  // pattern matches, 405 (with Allow) when only other methods match.
  // *route is set to the matched pattern (or "unmatched") for metrics.
  HttpResponse dispatch(HttpRequest& req, std::string* route) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    HttpHandler handler;
  };
  static bool match(const Route& r, const std::vector<std::string_view>& segs,
                    std::map<std::string, std::string>* params);
  std::vector<Route> routes_;
};

std::vector<std::string_view> split_path(std::string_view path);

}  // namespace bc::tracker
