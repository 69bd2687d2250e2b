// The console's server side as units: the files it serves and their headers
// (tracker/console/console_server.hpp), the cross-site and ETag guards every
// request passes (request_guard.hpp), and the [console] config section. The
// browser test (console_browser_test.py) drives the whole thing for real.
#include <doctest/doctest.h>

#include "tests/support/tmp_dir.hpp"
#include "tracker/config/config.hpp"
#include "tracker/console/console_server.hpp"
#include "tracker/console/request_guard.hpp"

using namespace bc::tracker;

namespace {

HttpRequest get(const std::string& path) {
  HttpRequest r;
  r.method = "GET";
  r.target = r.path = path;
  r.headers["host"] = "127.0.0.1:8443";
  return r;
}

HttpResponse serve(const Router& router, HttpRequest req) {
  std::string route;
  return router.dispatch(req, &route);
}

std::string header(const HttpResponse& res, const std::string& name) {
  for (const auto& [k, v] : res.headers)
    if (k == name) return v;
  return "";
}

void check_console_headers(const HttpResponse& res) {
  CHECK(header(res, "Content-Security-Policy") == kConsoleCsp);
  CHECK(header(res, "X-Content-Type-Options") == "nosniff");
  CHECK(header(res, "Referrer-Policy") == "no-referrer");
  CHECK(header(res, "Cache-Control") == "no-cache");
}

}  // namespace

TEST_CASE("the console's files are served from the binary with the CSP, and /console redirects to /console/") {
  Router router;
  ConsoleOptions o;
  o.chartjs = "/nonexistent/chart.js";
  add_console_routes(router, o);

  auto redirect = serve(router, get("/console"));
  CHECK(redirect.status == 301);
  CHECK(header(redirect, "Location") == "/console/");

  auto index = serve(router, get("/console/"));
  REQUIRE(index.status == 200);
  CHECK(index.content_type == "text/html; charset=utf-8");
  CHECK(index.body.find("<script type=\"module\" src=\"app.js\">") != std::string::npos);
  check_console_headers(index);

  auto view = serve(router, get("/console/views/audit.js"));
  CHECK(view.status == 200);
  CHECK(view.content_type == "text/javascript; charset=utf-8");
  check_console_headers(view);

  auto again = get("/console/views/audit.js");
  again.headers["if-none-match"] = header(view, "ETag");
  auto cached = serve(router, again);
  CHECK(cached.status == 304);
  CHECK(cached.body.empty());

  auto missing = serve(router, get("/console/nope.js"));
  CHECK(missing.status == 404);
  check_console_headers(missing);
  // No Chart.js file: 404 naming the path, the page then says charts are off.
  auto chart = serve(router, get("/console/vendor/chart.js"));
  CHECK(chart.status == 404);
  CHECK(chart.body.find("/nonexistent/chart.js") != std::string::npos);
}

TEST_CASE("Chart.js is read from [console] chartjs at start and served as /console/vendor/chart.js") {
  bc::test::TmpDir dir;
  bc::test::write_file(dir / "chart.min.js", "/* Chart.js stand-in */");
  Router router;
  ConsoleOptions o;
  o.chartjs = dir / "chart.min.js";
  add_console_routes(router, o);
  auto chart = serve(router, get("/console/vendor/chart.js"));
  CHECK(chart.status == 200);
  CHECK(chart.body == "/* Chart.js stand-in */");
  CHECK(chart.content_type == "text/javascript; charset=utf-8");
  check_console_headers(chart);
}

TEST_CASE("[console] enabled = false serves no console") {
  Router router;
  ConsoleOptions o;
  o.enabled = false;
  add_console_routes(router, o);
  CHECK(serve(router, get("/console/")).status == 404);
}

TEST_CASE("a state-changing request whose Origin is another site is refused; same-origin and Origin-less pass") {
  HttpRequest put = get("/api/v1/branches/east");
  put.method = "PUT";
  CHECK_FALSE(refuse_cross_site(put));  // curl, bcctl: no Origin

  put.headers["origin"] = "https://127.0.0.1:8443";
  CHECK_FALSE(refuse_cross_site(put));  // the console itself

  put.headers["origin"] = "https://evil.example";
  auto refused = refuse_cross_site(put);
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK(refused->body.find("cross-site request refused: Origin https://evil.example is not this tracker") !=
        std::string::npos);

  put.headers["origin"] = "null";  // sandboxed frames, file: pages
  CHECK(refuse_cross_site(put));
  put.headers["origin"] = "https://127.0.0.1:9999";  // same host, another port: another origin
  CHECK(refuse_cross_site(put));

  HttpRequest read = get("/api/v1/branches");
  read.headers["origin"] = "https://evil.example";  // reads need the bearer token anyway
  CHECK_FALSE(refuse_cross_site(read));
}

TEST_CASE("GET JSON answers get an ETag and If-None-Match answers 304 without the body") {
  HttpRequest req = get("/api/v1/branches");
  HttpResponse res = HttpResponse::json(200, nlohmann::json::array({"east"}));
  apply_etag(req, res);
  const std::string etag = header(res, "ETag");
  REQUIRE_FALSE(etag.empty());
  CHECK(res.status == 200);

  req.headers["if-none-match"] = etag;
  HttpResponse same = HttpResponse::json(200, nlohmann::json::array({"east"}));
  apply_etag(req, same);
  CHECK(same.status == 304);
  CHECK(same.body.empty());

  HttpResponse changed = HttpResponse::json(200, nlohmann::json::array({"east", "west"}));
  apply_etag(req, changed);
  CHECK(changed.status == 200);
  CHECK(header(changed, "ETag") != etag);

  HttpResponse own = HttpResponse::json(200, nlohmann::json::object());
  own.headers.emplace_back("ETag", "\"route's own\"");
  apply_etag(req, own);
  CHECK(own.headers.size() == 1);  // a route's own ETag (desired state, rollout status) is left alone

  HttpRequest post = req;
  post.method = "POST";
  HttpResponse created = HttpResponse::json(200, nlohmann::json::object());
  apply_etag(post, created);
  CHECK(header(created, "ETag").empty());
}

TEST_CASE("[console] is read from the config: enabled, chartjs relative to the config's directory") {
  const std::string base = "[storage]\ndata_dir = \"data\"\n[auth]\nsigning_key = \"k\"\n";
  auto c = parse_config(base, "/base");
  REQUIRE(c.ok());
  CHECK(c->console.enabled);
  CHECK(c->console.chartjs == "/usr/share/javascript/chart.js/chart.min.js");
  c = parse_config(base + "[console]\nenabled = false\nchartjs = \"vendor/chart.js\"\n", "/base");
  REQUIRE(c.ok());
  CHECK_FALSE(c->console.enabled);
  CHECK(c->console.chartjs == "/base/vendor/chart.js");
  c = parse_config(base + "[console]\ncharts = 1\n", "/base");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message() == "config: unknown key console.charts");
  c = parse_config(base + "[console]\nenabled = \"yes\"\n", "/base");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message() == "config: console.enabled must be true or false");
}
