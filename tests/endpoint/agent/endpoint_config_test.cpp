// The endpoint's TOML config and tracker URL parsing.
#include <doctest/doctest.h>

#include "endpoint/agent/endpoint_config.hpp"
#include "endpoint/agent/status_report.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using namespace bc::endpoint;

TEST_CASE("endpoint config: saved config loads back field for field") {
  test::TmpDir tmp;
  EndpointConfig c;
  c.tracker_url = "https://127.0.0.1:8080";
  c.tracker_ca_file = tmp.path() + "/tracker-ca.pem";
  c.node_id = "abc";
  c.branch = "hq";
  c.announce_key = "0123456789abcdef0123456789abcdef";
  c.tracker_public_key = public_key_hex(SecretKey::generate().public_key());
  c.root = "/srv/root";
  c.poll_interval_ms = 250;
  c.wan_governor = false;
  REQUIRE(save_config(tmp.path(), c).ok());
  auto back = load_config(tmp.path());
  REQUIRE_MESSAGE(back.ok(), back.status().to_string());
  CHECK(back->tracker_url == c.tracker_url);
  CHECK(back->tracker_ca_file == c.tracker_ca_file);
  CHECK_FALSE(back->insecure_plain_http);
  CHECK(back->node_id == "abc");
  CHECK(back->branch == "hq");
  CHECK(back->announce_key == c.announce_key);
  CHECK(back->tracker_public_key == c.tracker_public_key);
  CHECK(back->root == "/srv/root");
  CHECK(back->poll_interval_ms == 250);
  CHECK_FALSE(back->wan_governor);
}

TEST_CASE("endpoint config: a config without a valid tracker key is refused naming the field") {
  test::TmpDir tmp;
  test::write_file(tmp.path() + "/endpoint.toml",
                   "tracker_url = \"https://h:1\"\ntracker_ca_file = \"/ca.pem\"\nnode_id = \"x\"\n"
                   "tracker_public_key = \"zz\"\n");
  auto r = load_config(tmp.path());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("tracker_public_key") != std::string::npos);
  test::write_file(tmp.path() + "/endpoint.toml", "tracker_url = [\n");
  CHECK(load_config(tmp.path()).status().code() == Status::Code::invalid_argument);
}

TEST_CASE("endpoint config: tracker URLs other than https://HOST:PORT are refused (the node kit's parser)") {
  EndpointConfig c;
  c.tracker_url = "https://127.0.0.1:9000/";
  c.tracker_ca_file = "/state/tracker-ca.pem";
  c.node_id = "abc";
  c.tracker_public_key = public_key_hex(SecretKey::generate().public_key());
  CHECK(c.validate().ok());
  for (const char* bad : {"ftp://h:1", "https://h", "https://h:99999", "https://h:1/path"}) {
    c.tracker_url = bad;
    auto s = c.validate();
    CHECK_FALSE(s.ok());
    CHECK(s.message().find(bad) != std::string::npos);
  }
}

TEST_CASE("endpoint config: https needs the pinned CA file; http needs insecure_plain_http = true") {
  EndpointConfig c;
  c.tracker_url = "https://127.0.0.1:9000";
  c.node_id = "abc";
  c.tracker_public_key = public_key_hex(SecretKey::generate().public_key());
  auto no_ca = c.validate();
  REQUIRE_FALSE(no_ca.ok());
  CHECK(no_ca.message().find("tracker_ca_file") != std::string::npos);
  c.tracker_url = "http://127.0.0.1:9000";
  auto plain = c.validate();
  REQUIRE_FALSE(plain.ok());
  CHECK(plain.message().find("insecure_plain_http = true") != std::string::npos);
  c.insecure_plain_http = true;
  CHECK(c.validate().ok());
  test::TmpDir tmp;
  REQUIRE(save_config(tmp.path(), c).ok());
  auto back = load_config(tmp.path());
  REQUIRE_MESSAGE(back.ok(), back.status().to_string());
  CHECK(back->insecure_plain_http);
}

TEST_CASE("status report: layers carry their state and an applied desired stack reports applied") {
  std::map<std::string, LocalLayer> local;
  local["a@1"].phase = LayerPhase::downloading;
  local["a@1"].done_bytes = 5;
  local["a@1"].total_bytes = 10;
  auto r = build_status_report({"a@1", "b@1"}, local, {"x@1"}, BytesBySource{3, 2, 1}, "err");
  CHECK(r["layers"][0]["state"] == "downloading");
  CHECK(r["layers"][0]["bytes_done"] == 5);
  CHECK(r["layers"][1]["state"] == "queued");
  CHECK(r["bytes_by_source"]["origin"] == 3);
  CHECK(r["bytes_by_source"]["peer"] == 1);
  CHECK(r["last_error"] == "err");
  auto done = build_status_report({"a@1"}, local, {"a@1"}, BytesBySource{}, "");
  CHECK(done["layers"][0]["state"] == "applied");
}
