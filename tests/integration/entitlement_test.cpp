// Entitlement and announce ownership on the real bc-tracker over real HTTP
// on loopback: a node of branch a reads branch a's layer and gets 403 for
// branch b's manifest, torrent and scrape (counted on /metrics), and an
// announce with a node's key from another address (127.0.0.2) cannot change
// or stop the entry the node made from its own (127.0.0.1).
#include <doctest/doctest.h>

#include "tests/integration/support/running_tracker.hpp"
#include "tests/support/bt_query.hpp"
#include "tests/support/metrics_text.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/bt/info_hash.hpp"
#include "tracker/client/tracker_client.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {

std::string get_from(const std::string& source, uint16_t port, const std::string& target) {
  return test::body_of(test::raw_exchange_from(
      source, port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
}

struct TwoBranches {
  test::RunningTracker t;
  std::map<std::string, std::string> raw_hash;  // ref -> 20-byte swarm key

  TwoBranches() {
    for (auto [ref, file] : {std::pair{"base@1", "a"}, std::pair{"other@1", "b"}}) {
      std::string dir = test::make_layer_dir(t.tmp.path(), ref, {{"etc/" + std::string(file), "x\n"}});
      auto r = t.admin.admin_json("POST", "/api/v1/layers/import", {{"dir", dir}});
      REQUIRE_MESSAGE(r.ok(), r.status().to_string());
      raw_hash[ref] = std::string(bt::InfoHash::from_v2_hex((*r)["info_hash"].get<std::string>())->raw());
    }
    REQUIRE(t.admin.admin_json("PUT", "/api/v1/branches/a", {{"subnets", {"127.0.0.0/8"}}}).ok());
    REQUIRE(t.admin.admin_json("PUT", "/api/v1/branches/b", {{"subnets", {"10.2.0.0/16"}}}).ok());
    REQUIRE(t.admin.admin_json("PUT", "/api/v1/assignments/branch/a", {{"stack", {"base@1"}}}).ok());
    REQUIRE(t.admin.admin_json("PUT", "/api/v1/assignments/branch/b", {{"stack", {"other@1"}}}).ok());
  }
  // An endpoint of branch a (it enrolls from 127.0.0.1); its announce key.
  std::string enroll(TrackerClient& node) {
    t.enroll_endpoint(node);
    auto d = node.poll_desired("");
    REQUIRE(d.ok());
    CHECK(d->state["branch"] == "a");
    return d->state.value("announce_key", "");
  }
  double metric(const std::string& series) {
    auto page = t.admin.http().request("GET", "/metrics", "", {});
    REQUIRE(page.ok());
    return test::metric_value(page->body, series).value_or(0);
  }
};

}  // namespace

TEST_CASE("over HTTP: a node of branch a gets 200 for its layer and 403 for branch b's manifest, torrent and scrape") {
  TwoBranches w;
  auto key = SecretKey::generate();
  TrackerClient node(test::local_client(w.t.port), &key, "", w.t.clock);
  std::string announce_key = w.enroll(node);
  for (const char* part : {"manifest", "torrent"}) {
    auto own = node.node_call("GET", std::string("/api/v1/layers/base@1/") + part);
    REQUIRE(own.ok());
    CHECK(own->status == 200);
    auto theirs = node.node_call("GET", std::string("/api/v1/layers/other@1/") + part);
    REQUIRE(theirs.ok());
    CHECK(theirs->status == 403);
    CHECK_MESSAGE(theirs->body.find("is not entitled to layer other@1") != std::string::npos, theirs->body);
  }
  std::string scrape = get_from("127.0.0.1", w.t.port, "/scrape?bckey=" + announce_key + "&info_hash=" +
                                                           test::percent(w.raw_hash["base@1"]) + "&info_hash=" +
                                                           test::percent(w.raw_hash["other@1"]));
  CHECK_MESSAGE(scrape.find("d5:filesd20:" + w.raw_hash["base@1"]) == 0, scrape);
  CHECK(scrape.find(w.raw_hash["other@1"]) == std::string::npos);
  CHECK(w.metric(R"(bc_tracker_forbidden_total{route="manifest"})") == 1);
  CHECK(w.metric(R"(bc_tracker_forbidden_total{route="torrent"})") == 1);
  CHECK(w.metric(R"(bc_tracker_forbidden_total{route="scrape"})") == 1);
  CHECK(w.t.proc.stop() == 0);
  // The tracker logs every request at debug level, the scrape's target too,
  // but never the announce key it carried.
  std::string log = test::read_file(w.t.proc.log_path());
  CHECK(log.find("/scrape?bckey=<redacted>") != std::string::npos);
  CHECK(log.find(announce_key) == std::string::npos);
}

TEST_CASE("over HTTP: a node's key used from another address with left=100 and then stopped leaves the node's seed entry alone") {
  TwoBranches w;
  auto seed_key = SecretKey::generate(), peer_key = SecretKey::generate();
  TrackerClient seed(test::local_client(w.t.port), &seed_key, "", w.t.clock);
  TrackerClient peer(test::local_client(w.t.port), &peer_key, "", w.t.clock);
  std::string seed_announce = w.enroll(seed), peer_announce = w.enroll(peer);
  const std::string& h = w.raw_hash["base@1"];
  auto announce = [&](const std::string& from, const std::string& key, uint64_t left, const std::string& event,
                      char peer_char) {
    return get_from(from, w.t.port, test::announce_target(key, h, left, peer_char) + "&compact=1&event=" + event);
  };
  REQUIRE(announce("127.0.0.1", seed_announce, 0, "started", 's').find("failure") == std::string::npos);
  // The seed's key, from 127.0.0.2: kept apart, then stopped from there.
  REQUIRE(announce("127.0.0.2", seed_announce, 100, "started", 'x').find("failure") == std::string::npos);
  REQUIRE(announce("127.0.0.2", seed_announce, 100, "stopped", 'x').find("failure") == std::string::npos);
  std::string scrape = get_from("127.0.0.1", w.t.port, "/scrape?bckey=" + peer_announce + "&info_hash=" + test::percent(h));
  CHECK_MESSAGE(scrape.find("8:completei1e") != std::string::npos, scrape);
  CHECK(scrape.find("10:incompletei0e") != std::string::npos);
  // A downloader of the branch is handed the seed at its real address.
  std::string got = announce("127.0.0.3", peer_announce, 100, "started", 'p');
  CHECK_MESSAGE(got.find(std::string("5:peers6:\x7f\x00\x00\x01\x1a\xe1", 15)) != std::string::npos, got);
  CHECK(w.t.proc.stop() == 0);
}
