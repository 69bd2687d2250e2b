// The desired-state feed's long poll against a real tracker over loopback
// HTTP (TrackerApp, LMDB, the node's signed requests), driven by the real
// node loop skeleton: a new assignment reaches the loop within 1 s although
// its poll interval is 10 s; a tracker that does not hold polls sends the
// feed back to polling, without spinning.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "node/desired_feed.hpp"
#include "node/node_log.hpp"
#include "node/node_loop.hpp"
#include "tests/support/metrics_text.hpp"
#include "tests/support/poll.hpp"
#include "tests/tracker/api/api_fixture.hpp"
#include "tracker/http/http_server.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;
using Steady = std::chrono::steady_clock;

namespace {

struct LiveTracker {
  test::ApiFixture f;
  uint16_t port = 0;
  explicit LiveTracker(const std::string& limits = "")
      : f(limits + "\n[server]\ninsecure_plain_http = true\nlisten = \"127.0.0.1\"\n") {
    auto p = f.app->start();
    REQUIRE_MESSAGE(p.ok(), p.status().to_string());
    port = *p;
    f.import_layer("base@1", {{"etc/motd", "one\n"}});
    f.import_layer("base@2", {{"etc/motd", "two\n"}});
    REQUIRE(f.call("PUT", "/api/v1/branches/hq", R"({"subnets": ["127.0.0.0/8"]})").status == 200);
    assign("base@1");
  }
  void assign(const std::string& ref) {
    REQUIRE(f.call("PUT", "/api/v1/assignments/branch/hq", json{{"stack", {ref}}}.dump()).status == 200);
  }
  double metric(const std::string& series) {
    auto r = client(nullptr)->http().request("GET", "/metrics", "", {});
    return r.ok() ? test::metric_value(r->body, series).value_or(0) : -1;
  }
  std::unique_ptr<TrackerClient> client(const SecretKey* key) {
    HttpClientOptions o;
    o.port = port;
    return std::make_unique<TrackerClient>(o, key, "", f.clock);
  }
};

// A node: a feed on its own client, run by run_node_loop on a thread; each
// turn takes what the feed has and then "pumps" for 50 ms (as the agents
// pump their swarm for 200 ms). Records the first stack seen for each ref.
struct FeedNode {
  SystemClock clock;
  test::TmpDir dir;
  node::Logger log = node::make_node_logger("test-node", "");
  std::unique_ptr<TrackerClient> client;
  std::unique_ptr<node::DesiredFeed> feed;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::map<std::string, Steady::time_point> seen;  // stack[0].ref -> when the loop took it
  std::atomic<int> polls{0};
  std::thread loop;

  FeedNode(std::unique_ptr<TrackerClient> c, std::unique_ptr<TrackerClient> own, int64_t interval_ms) {
    client = std::move(c);
    feed = std::make_unique<node::DesiredFeed>(*client, dir / "desired.json", *log,
                                               node::DesiredFeedOptions{interval_ms, 20});
    feed->start_long_poll(std::move(own));
    loop = std::thread([this] {
      node::NodeLoopOptions o;
      o.clock = &clock;
      o.stop = &stop;
      (void)node::run_node_loop(o, [this]() -> Result<node::Turn> {
        if (feed->due(clock.now_ms())) {
          polls++;
          auto r = feed->poll();
          if (r.ok() && *r) {
            const auto& stack = (*r)->state["stack"];
            if (!stack.empty()) {
              std::lock_guard lock(mu);
              seen.try_emplace(stack[0]["ref"].get<std::string>(), Steady::now());
            }
            feed->accept(**r);
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return node::Turn::again;
      });
    });
  }
  ~FeedNode() {
    stop = true;
    loop.join();
  }
  std::optional<Steady::time_point> saw(const std::string& ref) {
    std::lock_guard lock(mu);
    auto it = seen.find(ref);
    return it == seen.end() ? std::nullopt : std::optional(it->second);
  }
};

}  // namespace

TEST_CASE("a long-polling feed hands the node loop a new assignment within 1 s though it polls every 10 s") {
  LiveTracker t;
  auto key = SecretKey::generate();
  t.f.join(key, "endpoint", "hq");
  FeedNode n(t.client(&key), t.client(&key), 10'000);
  REQUIRE(test::eventually([&] { return n.saw("base@1").has_value(); }, 10'000));
  REQUIRE(test::eventually([&] { return t.metric("bc_tracker_http_long_polls") == 1; }, 10'000, 10));
  CHECK(n.feed->long_polling());
  const auto t0 = Steady::now();
  t.assign("base@2");
  REQUIRE(test::eventually([&] { return n.saw("base@2").has_value(); }, 5'000, 5));
  const double ms = std::chrono::duration<double, std::milli>(*n.saw("base@2") - t0).count();
  MESSAGE("assignment stored -> node loop took it: " << ms << " ms");
  CHECK(ms < 1000);
  // Parked again on the new ETag, and the feed returns promptly when destroyed mid-poll.
  REQUIRE(test::eventually([&] { return t.metric("bc_tracker_http_long_polls") == 1; }, 10'000, 10));
  const auto t1 = Steady::now();
  n.stop = true;
  n.loop.join();
  n.feed.reset();
  CHECK(std::chrono::duration<double>(Steady::now() - t1).count() < 1.0);
  n.loop = std::thread([] {});
}

TEST_CASE("against a tracker that answers long polls at once (max_long_polls = 0) the feed paces itself and still "
          "sees changes") {
  LiveTracker t("max_long_polls = 0");
  auto key = SecretKey::generate();
  t.f.join(key, "endpoint", "hq");
  FeedNode n(t.client(&key), t.client(&key), 300);
  REQUIRE(test::eventually([&] { return n.saw("base@1").has_value(); }, 10'000));
  const std::string series = R"(bc_tracker_http_requests_total{route="/api/v1/desired",method="GET",status="304"})";
  const double before = t.metric(series);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the span whose polls we count
  const double polls = t.metric(series) - before;
  CHECK_MESSAGE(polls <= 8, polls << " polls in 1.5 s at a 300 ms pace");  // not a spin
  CHECK(polls >= 2);
  t.assign("base@2");
  CHECK(test::eventually([&] { return n.saw("base@2").has_value(); }, 2'000, 5));
}

TEST_CASE("a tracker that answers 404 to ?wait= sends the feed back to polling on its interval") {
  // An old tracker: the desired-state route knows no long poll.
  std::atomic<int> plain{0}, waited{0};
  HttpServer old_tracker(ServerOptions{}, [&](HttpRequest& req) {
    if (req.target.find("wait=") != std::string::npos) {
      waited++;
      return HttpResponse::error(404, "no such resource: " + req.target);
    }
    plain++;
    HttpResponse r = HttpResponse::json(200, json{{"stack", json::array({{{"ref", "base@1"}}})}});
    r.headers.emplace_back("ETag", "\"v1\"");
    if (req.header("if-none-match") == "\"v1\"") r.status = 304;
    return r;
  }, nullptr);
  auto port = old_tracker.start();
  REQUIRE(port.ok());
  HttpClientOptions o;
  o.port = *port;
  auto key = SecretKey::generate();
  ManualClock signing;
  FeedNode n(std::make_unique<TrackerClient>(o, &key, "", signing), std::make_unique<TrackerClient>(o, &key, "", signing),
             200);
  REQUIRE(test::eventually([&] { return n.saw("base@1").has_value(); }, 5'000));
  REQUIRE(test::eventually([&] { return waited == 1 && !n.feed->long_polling(); }, 5'000));
  const int before = plain;
  CHECK(test::eventually([&] { return plain >= before + 3; }, 5'000));  // polling on, every 200 ms
  CHECK(waited == 1);
}
