// The reflector's TOML config: what init writes parses back, bad input is
// refused with a message naming the key.
#include <doctest/doctest.h>

#include "reflector/agent/reflector_config.hpp"

using namespace bc::reflector;

namespace {
ReflectorConfig good() {
  ReflectorConfig c;
  c.tracker_url = "https://127.0.0.1:8080";
  c.tracker_ca_file = "/var/cache/bc/tracker-ca.pem";
  c.identity_key_file = "/etc/bc/reflector.key";
  c.tracker_public_key = std::string(64, 'a');
  c.cache_dir = "/var/cache/bc";
  c.quota_bytes = 1000;
  return c;
}
}  // namespace

TEST_CASE("a rendered config parses back to the same values") {
  auto c = parse_reflector_config(render_reflector_config(good()));
  REQUIRE_MESSAGE(c.ok(), c.status().to_string());
  CHECK(c->tracker_url == "https://127.0.0.1:8080");
  CHECK(c->tracker_ca_file == "/var/cache/bc/tracker-ca.pem");
  CHECK_FALSE(c->insecure_plain_http);
  CHECK(c->quota_bytes == 1000);
  CHECK(c->listen == "0.0.0.0:6881");
  CHECK(c->wan_governor);
  auto off = good();
  off.wan_governor = false;
  auto back = parse_reflector_config(render_reflector_config(off));
  REQUIRE(back.ok());
  CHECK_FALSE(back->wan_governor);
  std::string text = render_reflector_config(good());
  text.replace(text.find("wan_governor = true"), 19, "wan_governor = 1");
  auto bad = parse_reflector_config(text);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("wan_governor") != std::string::npos);
}

TEST_CASE("config errors name the offending key") {
  auto text = render_reflector_config(good());
  auto unknown = parse_reflector_config(text + "colour = \"red\"\n");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message().find("colour") != std::string::npos);
  auto c = good();
  c.quota_bytes = 0;
  auto q = parse_reflector_config(render_reflector_config(c));
  REQUIRE_FALSE(q.ok());
  CHECK(q.status().message().find("quota_bytes") != std::string::npos);
  c = good();
  c.tracker_public_key = "zz";
  auto k = parse_reflector_config(render_reflector_config(c));
  REQUIRE_FALSE(k.ok());
  CHECK(k.status().message().find("tracker_public_key") != std::string::npos);
  CHECK_FALSE(parse_reflector_config("quota_bytes = -5\n").ok());
  CHECK_FALSE(parse_reflector_config("not toml = = =").ok());
}

TEST_CASE("tracker urls must be https (or http with insecure_plain_http) with a numeric port (the node kit's parser)") {
  auto c = good();
  c.tracker_url = "https://10.0.0.1:8080/";
  CHECK(c.validate().ok());
  c.tracker_url = "https://[::1]:8080";
  CHECK(c.validate().ok());
  for (const char* bad : {"ftp://x:1", "https://x", "https://x:99999", "https://x:80/path"}) {
    c.tracker_url = bad;
    auto s = c.validate();
    CHECK_FALSE(s.ok());
    CHECK(s.message().find("tracker_url") != std::string::npos);
  }
}

TEST_CASE("an https tracker needs the pinned CA; plain http needs insecure_plain_http, which round-trips") {
  auto c = good();
  c.tracker_ca_file.clear();
  auto no_ca = c.validate();
  REQUIRE_FALSE(no_ca.ok());
  CHECK(no_ca.message().find("tracker_ca_file") != std::string::npos);
  c = good();
  c.tracker_url = "http://10.0.0.1:8080";
  c.tracker_ca_file.clear();
  auto plain = c.validate();
  REQUIRE_FALSE(plain.ok());
  CHECK(plain.message().find("insecure_plain_http = true") != std::string::npos);
  c.insecure_plain_http = true;
  REQUIRE(c.validate().ok());
  auto back = parse_reflector_config(render_reflector_config(c));
  REQUIRE_MESSAGE(back.ok(), back.status().to_string());
  CHECK(back->insecure_plain_http);
  c.tracker_url = "https://10.0.0.1:8080";  // insecure with https: a contradiction, refused
  c.tracker_ca_file = "/ca.pem";
  CHECK_FALSE(c.validate().ok());
}

TEST_CASE("liveness_interval_ms: 3 s by default, round-trips, refused outside [100, 60000]") {
  CHECK(good().liveness_interval_ms == 3000);
  auto c = good();
  c.liveness_interval_ms = 2500;
  auto back = parse_reflector_config(render_reflector_config(c));
  REQUIRE_MESSAGE(back.ok(), back.status().to_string());
  CHECK(back->liveness_interval_ms == 2500);
  for (int bad : {50, 120'000}) {
    c.liveness_interval_ms = bad;
    auto r = parse_reflector_config(render_reflector_config(c));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("liveness_interval_ms") != std::string::npos);
  }
}
