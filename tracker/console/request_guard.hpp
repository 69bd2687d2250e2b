// Two checks every request passes in TrackerApp::handle, for the browser's
// sake (docs/console.md, "Security"):
//  - refuse_cross_site: a state-changing request whose Origin header names
//    another site is refused (403). The console authenticates with a bearer
//    token from sessionStorage, never a cookie, so a forged request carries
//    no credential anyway; this closes the door a second time.
//  - apply_etag: a GET answered 200 with JSON and no ETag of its own gets
//    one (a hash of the body), and If-None-Match then answers 304 without
//    the body, so the console's 2-second polls cost little on the wire.
#pragma once

#include <optional>

#include "tracker/http/message.hpp"

namespace bc::tracker {

// 403 when `req` is not GET/HEAD/OPTIONS, carries Origin, and the Origin's
// host[:port] is not the request's Host. nullopt otherwise (no Origin: not a
// browser, or a same-origin GET).
std::optional<HttpResponse> refuse_cross_site(const HttpRequest& req);

void apply_etag(const HttpRequest& req, HttpResponse& res);

}  // namespace bc::tracker
