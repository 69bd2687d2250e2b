// The one tracker-URL parser: schemes, IPv4 and IPv6 literals, ports, paths
// and trailing slashes; and the narrower form a node dials today.
#include <doctest/doctest.h>

#include "node/tracker_url.hpp"

using namespace bc;
using namespace bc::node;

TEST_CASE("tracker url: http and https, with the scheme's default port when none is named") {
  auto a = parse_tracker_url("http://tracker.example");
  REQUIRE(a.ok());
  CHECK(a->scheme == "http");
  CHECK(a->host == "tracker.example");
  CHECK(a->port == 80);
  CHECK_FALSE(a->explicit_port);
  auto b = parse_tracker_url("HTTPS://tracker.example");
  REQUIRE(b.ok());
  CHECK(b->scheme == "https");
  CHECK(b->port == 443);
  CHECK_FALSE(parse_tracker_url("ftp://h:1").ok());
  CHECK_FALSE(parse_tracker_url("h:1").ok());
}

TEST_CASE("tracker url: IPv4 and IPv6 literals with ports; brackets are stripped and put back by base()") {
  auto a = parse_tracker_url("http://10.0.0.1:8080");
  REQUIRE(a.ok());
  CHECK(a->host == "10.0.0.1");
  CHECK(a->port == 8080);
  CHECK(a->base() == "http://10.0.0.1:8080");
  auto b = parse_tracker_url("http://[::1]:9000/");
  REQUIRE_MESSAGE(b.ok(), b.status().to_string());
  CHECK(b->host == "::1");
  CHECK(b->port == 9000);
  CHECK(b->base() == "http://[::1]:9000");
  auto c = parse_tracker_url("https://[fd00::5]");
  REQUIRE(c.ok());
  CHECK(c->host == "fd00::5");
  CHECK(c->port == 443);
  CHECK_FALSE(parse_tracker_url("http://::1:9000").ok());      // unbracketed IPv6
  CHECK_FALSE(parse_tracker_url("http://[::1:9000").ok());     // no closing bracket
  CHECK_FALSE(parse_tracker_url("http://[::1]x:9000").ok());   // junk after it
  CHECK_FALSE(parse_tracker_url("http://[zz::1]:9000").ok());  // not hex
}

TEST_CASE("tracker url: ports must be 1..65535 digits") {
  CHECK_FALSE(parse_tracker_url("http://h:").ok());
  CHECK_FALSE(parse_tracker_url("http://h:0").ok());
  CHECK_FALSE(parse_tracker_url("http://h:65536").ok());
  CHECK_FALSE(parse_tracker_url("http://h:12a").ok());
  CHECK_FALSE(parse_tracker_url("http://h:123456").ok());
  CHECK(parse_tracker_url("http://h:65535").ok());
  CHECK_FALSE(parse_tracker_url("http://:80").ok());  // no host
}

TEST_CASE("tracker url: paths are kept, every trailing slash dropped; user info, query and fragment refused") {
  auto a = parse_tracker_url("http://h:1/bc/api///");
  REQUIRE(a.ok());
  CHECK(a->path == "/bc/api");
  auto b = parse_tracker_url("http://h:1///");
  REQUIRE(b.ok());
  CHECK(b->path.empty());
  CHECK_FALSE(parse_tracker_url("http://user@h:1").ok());
  CHECK_FALSE(parse_tracker_url("http://h:1/?x=1").ok());
  CHECK_FALSE(parse_tracker_url("http://h:1/#top").ok());
}

TEST_CASE("node tracker url: https or http, an explicit port and no path; the reason is in the message") {
  auto a = parse_node_tracker_url("http://[::1]:9000//");
  REQUIRE(a.ok());
  CHECK(a->host == "::1");
  CHECK_FALSE(a->tls());
  auto https = parse_node_tracker_url("HTTPS://h:8443");
  REQUIRE(https.ok());
  CHECK(https->tls());
  CHECK(https->base() == "https://h:8443");
  auto no_port = parse_node_tracker_url("https://h");
  REQUIRE_FALSE(no_port.ok());
  CHECK(no_port.status().message().find("port") != std::string::npos);
  no_port = parse_node_tracker_url("http://h");
  REQUIRE_FALSE(no_port.ok());
  CHECK(no_port.status().message().find("port") != std::string::npos);
  auto path = parse_node_tracker_url("http://h:1/x");
  REQUIRE_FALSE(path.ok());
  CHECK(path.status().message().find("path") != std::string::npos);
}
