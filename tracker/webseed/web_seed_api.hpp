// The HTTP face of tokenized web seeds (docs/api.md, "Web seeds"):
//   GET /ws/<node>/<expiry>/<mac>/<info-hash>/<torrent path>  the tracker's own
//       web seed over DATA/origin ([origin] serve_web_seed): 206 with one
//       Range, 200 for a whole file within the range limit, 416 for a
//       range it cannot or will not serve, 403/404 as WebSeedService says.
//   GET /api/v1/webseed/check  for a web server's auth_request: the
//       original request URI in X-Original-URI; 204 granted, 403 otherwise.
//   POST /api/v1/webseed/certs  admin: a web server's certificate.
#pragma once

#include "tracker/http/router.hpp"
#include "tracker/webseed/web_seed_service.hpp"

namespace bc::tracker {

inline constexpr std::string_view kWebSeedPathPrefix = "/ws/";

// True for request paths the web seed serves (the router's patterns cannot
// hold a path of any depth, so the app sends these here itself).
bool is_web_seed_path(const std::string& path);

// Serves one web seed request. Reads at most options().max_range_bytes.
HttpResponse serve_web_seed(WebSeedService& service, const HttpRequest& req);

// Adds GET /api/v1/webseed/check. `service` must outlive the router.
void add_web_seed_routes(Router& router, WebSeedService& service);

// Adds POST /api/v1/webseed/certs (admin): a certificate from the tracker's
// CA for an external HTTPS web seed (web_seed_cert.cpp). `ctx` must outlive
// the router.
void add_web_seed_cert_routes(Router& router, ApiContext& ctx);

}  // namespace bc::tracker
