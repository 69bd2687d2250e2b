#include <doctest/doctest.h>

#include "tracker/metrics/exposition.hpp"
#include "tracker/metrics/tracker_metrics.hpp"

using namespace bc::tracker;

TEST_CASE("the exposition writer escapes label values and writes cumulative histogram buckets") {
  Exposition e;
  e.family("m", "counter", "help text");
  e.sample("m", {{"path", "a\"b\\c\nd"}}, 3);
  e.histogram("h", {{"route", "/x"}}, {0.1, 1}, {2, 1, 4}, 7.5);
  std::string t = e.text();
  CHECK(t.find("# HELP m help text\n# TYPE m counter\n") == 0);
  CHECK(t.find(R"(m{path="a\"b\\c\nd"} 3)") != std::string::npos);
  CHECK(t.find(R"(h_bucket{route="/x",le="0.1"} 2)") != std::string::npos);
  CHECK(t.find(R"(h_bucket{route="/x",le="1"} 3)") != std::string::npos);
  CHECK(t.find(R"(h_bucket{route="/x",le="+Inf"} 7)") != std::string::npos);
  CHECK(t.find(R"(h_sum{route="/x"} 7.5)") != std::string::npos);
  CHECK(t.find(R"(h_count{route="/x"} 7)") != std::string::npos);
}

TEST_CASE("tracker metrics count requests by route and status and expose the announce hooks") {
  TrackerMetrics m;
  m.record_request("/a", "GET", 200, 0.002);
  m.record_request("/a", "GET", 200, 0.2);
  m.record_request("/a", "GET", 404, 0.001);
  m.record_announce("hq", "started");
  m.set_branch_peers("hq", 12);
  m.add_origin_bytes(1000);
  Exposition e;
  m.write(e);
  std::string t = e.text();
  CHECK(t.find(R"(bc_tracker_http_requests_total{route="/a",method="GET",status="200"} 2)") != std::string::npos);
  CHECK(t.find(R"(bc_tracker_http_requests_total{route="/a",method="GET",status="404"} 1)") != std::string::npos);
  CHECK(t.find(R"(bc_tracker_http_request_seconds_count{route="/a"} 3)") != std::string::npos);
  CHECK(t.find(R"(bc_tracker_announces_total{branch="hq",event="started"} 1)") != std::string::npos);
  CHECK(t.find(R"(bc_tracker_branch_peers{branch="hq"} 12)") != std::string::npos);
  CHECK(t.find("bc_tracker_origin_upload_bytes_total 1000") != std::string::npos);
  CHECK(t.find("bc_tracker_http_long_polls") == std::string::npos);  // no server gauges until a server runs
}

TEST_CASE("tracker metrics expose the HTTP server's connections, held and abandoned long polls at scrape time") {
  TrackerMetrics m;
  m.set_server_gauges([] { return TrackerMetrics::HttpServerGauges{3, 2, 7, 4}; });
  Exposition e;
  m.write(e);
  std::string t = e.text();
  CHECK_MESSAGE(t.find("bc_tracker_http_connections 3") != std::string::npos, t);
  CHECK(t.find("bc_tracker_http_long_polls 2") != std::string::npos);
  CHECK(t.find("bc_tracker_http_long_polls_abandoned_total 7") != std::string::npos);
  CHECK(t.find("bc_tracker_http_long_polls_refused_total 4") != std::string::npos);
}
