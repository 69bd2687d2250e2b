// The desired-state long poll on the real route: a TrackerApp serving plain
// HTTP on loopback, a node signing its requests with the real client, LMDB
// underneath. Assignments are changed in-process (the admin API), which moves
// the store's change feed exactly as an admin's HTTP call would.
#include <doctest/doctest.h>

#include <chrono>
#include <future>

#include "tests/support/metrics_text.hpp"
#include "tests/support/poll.hpp"
#include "tests/tracker/api/api_fixture.hpp"
#include "tracker/client/tracker_client.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;
using Clock_ = std::chrono::steady_clock;

namespace {

// An ApiFixture whose app also listens (plain HTTP, loopback), with one
// layer, a branch assigned base@1 and one enrolled endpoint.
struct LivePoll {
  test::ApiFixture f;
  uint16_t port = 0;
  SecretKey key = SecretKey::generate();
  std::string etag;
  explicit LivePoll(const std::string& limits = "")
      : f(limits + "\n[server]\ninsecure_plain_http = true\nlisten = \"127.0.0.1\"\n") {
    auto p = f.app->start();
    REQUIRE_MESSAGE(p.ok(), p.status().to_string());
    port = *p;
    f.import_layer("base@1", {{"etc/motd", "one\n"}});
    f.import_layer("base@2", {{"etc/motd", "two\n"}});
    REQUIRE(f.call("PUT", "/api/v1/branches/hq", R"({"subnets": ["127.0.0.0/8"]})").status == 200);
    REQUIRE(f.call("PUT", "/api/v1/assignments/branch/hq", R"({"stack": ["base@1"]})").status == 200);
    f.join(key, "endpoint", "hq");
    auto first = client()->poll_desired("");
    REQUIRE_MESSAGE(first.ok(), first.status().to_string());
    REQUIRE(first->status == 200);
    etag = first->etag;
  }
  std::unique_ptr<TrackerClient> client() {
    HttpClientOptions o;
    o.port = port;
    return std::make_unique<TrackerClient>(o, &key, "", f.clock);
  }
  double metric(const std::string& series) {
    auto r = client()->http().request("GET", "/metrics", "", {});
    if (!r.ok()) return -1;
    return test::metric_value(r->body, series).value_or(-1);
  }
  void assign(const std::string& ref) {
    REQUIRE(f.call("PUT", "/api/v1/assignments/branch/hq", json{{"stack", {ref}}}.dump()).status == 200);
  }
};

double seconds_since(Clock_::time_point t0) { return std::chrono::duration<double>(Clock_::now() - t0).count(); }

}  // namespace

TEST_CASE("a held desired-state poll is answered with the new state within ~100 ms of an assignment change") {
  LivePoll w;
  auto poller = w.client();
  auto held = std::async(std::launch::async, [&] { return poller->poll_desired(w.etag, 30); });
  // Parked at the server (the gauge says so) before the change, so the change is what wakes it.
  REQUIRE(test::eventually([&] { return w.metric("bc_tracker_http_long_polls") == 1; }, 10'000, 10));
  auto t0 = Clock_::now();
  w.assign("base@2");
  auto r = held.get();
  const double s = seconds_since(t0);
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  CHECK(r->status == 200);
  CHECK(r->state["stack"][0]["ref"] == "base@2");
  CHECK(r->etag != w.etag);
  MESSAGE("change -> answer: " << s * 1000 << " ms");
  CHECK(s < 0.25);  // ~100 ms asked; a loaded 2-core machine gets some slack
  CHECK(w.metric("bc_tracker_http_long_polls") == 0);
}

TEST_CASE("a held desired-state poll with nothing changing answers 304 when its wait ends, not before") {
  LivePoll w;
  auto t0 = Clock_::now();
  auto r = w.client()->poll_desired(w.etag, 1);
  const double s = seconds_since(t0);
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  CHECK(r->status == 304);
  CHECK(r->etag == w.etag);
  CHECK(s >= 0.95);
  CHECK(s < 3.0);
}

TEST_CASE("over limits.max_long_polls a long poll is answered 503 with Retry-After, and counted") {
  LivePoll w("max_long_polls = 1\nlong_poll_retry_after_s = 7");
  auto first = w.client();
  auto held = std::async(std::launch::async, [&] { return first->poll_desired(w.etag, 30); });
  REQUIRE(test::eventually([&] { return w.metric("bc_tracker_http_long_polls") == 1; }, 10'000, 10));
  auto second = w.client();
  auto t0 = Clock_::now();
  auto busy = second->poll_desired(w.etag, 30);
  REQUIRE_MESSAGE(busy.ok(), busy.status().to_string());
  CHECK(busy->status == 503);
  CHECK(busy->retry_after_s == 7);
  CHECK(seconds_since(t0) < 5);  // refused at once, not held
  // A poll without an ETag is answered at once with the whole state: never held, never refused.
  auto whole = second->poll_desired("", 30);
  REQUIRE(whole.ok());
  CHECK(whole->status == 200);
  CHECK(w.metric("bc_tracker_http_long_polls_refused_total") == 1);
  // The held one is unaffected and still wakes on a change.
  w.assign("base@2");
  auto woke = held.get();
  REQUIRE(woke.ok());
  CHECK(woke->status == 200);
}

TEST_CASE("malformed ?wait= values are refused with 400 naming the parameter") {
  LivePoll w;
  auto c = w.client();
  for (const char* bad : {"abc", "-1", "1.5", "5x", "", "31", "99999999999999999999", "%20", "%205", "+5", "0x10"}) {
    auto r = c->node_call("GET", std::string("/api/v1/desired?wait=") + bad);
    REQUIRE(r.ok());
    CHECK_MESSAGE(r->status == 400, "wait=" << bad << " -> " << r->status);
    CHECK_MESSAGE(r->body.find("wait") != std::string::npos, r->body);
  }
  auto ok = c->node_call("GET", "/api/v1/desired?wait=0");
  REQUIRE(ok.ok());
  CHECK(ok->status == 200);
}
