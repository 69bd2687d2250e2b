#include "tracker/console/console_server.hpp"

#include <spdlog/spdlog.h>

#include <functional>
#include <memory>

#include "layers/util/fs.hpp"
#include "tracker/console/console_assets.hpp"

namespace bc::tracker {

namespace {

// Chart.js 3.9 minified is ~200 KiB; anything far larger is not it.
constexpr size_t kMaxChartJsBytes = 4 << 20;

std::string content_type_of(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".png")) return "image/png";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

std::string etag_of(std::string_view body) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "\"%016zx\"", std::hash<std::string_view>{}(body));
  return buf;
}

// One file's answer: 200 with the bytes, or 304 when the browser holds them
// (If-None-Match), with the console headers either way.
HttpResponse serve_bytes(const HttpRequest& req, std::string_view path, std::string_view body) {
  HttpResponse res;
  const std::string etag = etag_of(body);
  res.content_type = content_type_of(path);
  if (req.header("if-none-match") == etag) {
    res.status = 304;
  } else {
    res.body.assign(body);
  }
  res.headers.emplace_back("ETag", etag);
  add_console_headers(res);
  return res;
}

HttpResponse not_found(const std::string& what) {
  HttpResponse res = HttpResponse::error(404, what);
  add_console_headers(res);
  return res;
}

const ConsoleAsset* find_asset(std::string_view path) {
  for (size_t i = 0; i < kConsoleAssetCount; ++i)
    if (kConsoleAssets[i].path == path) return &kConsoleAssets[i];
  return nullptr;
}

HttpResponse serve_asset(const HttpRequest& req, const std::string& path) {
  const ConsoleAsset* a = find_asset(path);
  if (!a) return not_found("no such console file: " + path);
  return serve_bytes(req, a->path, a->body);
}

}  // namespace

void add_console_headers(HttpResponse& res) {
  res.headers.emplace_back("Content-Security-Policy", kConsoleCsp);
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  // Revalidate every time (the ETag makes that a 304): a new tracker build
  // must never run against a cached older page.
  res.headers.emplace_back("Cache-Control", "no-cache");
}

void add_console_routes(Router& router, const ConsoleOptions& options) {
  if (!options.enabled) return;
  auto chartjs = std::make_shared<std::string>();
  auto read = read_small_file(options.chartjs, kMaxChartJsBytes);
  if (read.ok()) {
    *chartjs = std::move(*read);
    spdlog::info("console: charts from {}", options.chartjs);
  } else {
    spdlog::warn("console: charts are off: {} (install Debian's libjs-chart.js or set [console] chartjs)",
                 read.status().to_string());
  }
  const std::string chart_path = options.chartjs;
  // "/console" and "/console/" split alike; relative URLs need the slash.
  router.add("GET", "/console", [](HttpRequest& req) {
    if (!req.path.empty() && req.path.back() == '/') return serve_asset(req, "index.html");
    HttpResponse res;
    res.status = 301;
    res.content_type = "text/plain";
    res.body = "the console is at /console/\n";
    res.headers.emplace_back("Location", "/console/");
    add_console_headers(res);
    return res;
  });
  router.add("GET", "/console/vendor/chart.js", [chartjs, chart_path](HttpRequest& req) {
    if (chartjs->empty()) return not_found("Chart.js is not available on this tracker (" + chart_path + ")");
    return serve_bytes(req, "chart.js", *chartjs);
  });
  router.add("GET", "/console/{file}", [](HttpRequest& req) { return serve_asset(req, req.params.at("file")); });
  router.add("GET", "/console/views/{file}",
             [](HttpRequest& req) { return serve_asset(req, "views/" + req.params.at("file")); });
}

}  // namespace bc::tracker
