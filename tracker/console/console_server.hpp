// The web console's static side: index.html, one JS module per view, CSS
// (embedded, console_assets.hpp) and Chart.js (read from Debian's
// libjs-chart.js at start), under /console/. The console talks to the JSON
// API with a bearer token like any admin client; roles are enforced there.
#pragma once

#include <string>

#include "tracker/console/console_options.hpp"
#include "tracker/http/message.hpp"
#include "tracker/http/router.hpp"

namespace bc::tracker {

// The Content-Security-Policy of every console response: scripts, styles and
// fetches from the tracker itself only, no inline script or style, no
// framing, no forms, no <base>.
inline constexpr const char* kConsoleCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// Adds the CSP, nosniff, no-referrer and no-cache headers.
void add_console_headers(HttpResponse& res);

// Adds GET /console (redirect), /console/, /console/{file}, /console/views/{file}
// and /console/vendor/chart.js. Reads options.chartjs now; a missing or
// unreadable file is logged and /console/vendor/chart.js answers 404 (the
// page then says charts are off). No-op when !options.enabled.
void add_console_routes(Router& router, const ConsoleOptions& options);

struct ApiContext;
// The API routes only the console needs (tracker/api/console_api.cpp):
// GET /api/v1/layers/{a}/diff/{b} (viewer+).
void add_console_api_routes(Router& router, ApiContext& ctx);

}  // namespace bc::tracker
