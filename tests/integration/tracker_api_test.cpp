// The real bc-tracker binary driven over real HTTPS (its default) on 127.0.0.1.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <random>
#include <future>
#include <thread>

#include "tests/integration/support/running_tracker.hpp"
#include "tests/support/metrics_text.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/client/tracker_client.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {
const std::string& kAdmin = test::kAdminToken;

// The value of one sample on the tracker's /metrics page (-1 when absent).
double metric(TrackerClient& admin, const std::string& series) {
  auto page = admin.http().request("GET", "/metrics", "", {});
  REQUIRE(page.ok());
  return test::metric_value(page->body, series).value_or(-1);
}
}  // namespace

TEST_CASE("bc-tracker over HTTPS: publish, enroll, assign, poll with ETag and long poll, report, audit") {
  test::RunningTracker t;
  const uint16_t port = t.port;
  const Clock& clock = t.clock;
  TrackerClient& admin = t.admin;

  std::string layer = test::make_layer_dir(t.tmp.path(), "base@1", {{"etc/motd", "welcome\n"}});
  std::string layer2 = test::make_layer_dir(t.tmp.path(), "base@2", {{"etc/motd", "welcome v2\n"}});
  REQUIRE(admin.admin_json("POST", "/api/v1/layers/import", {{"dir", layer}}).ok());
  REQUIRE(admin.admin_json("POST", "/api/v1/layers/import", {{"dir", layer2}}).ok());
  REQUIRE(admin.admin_json("PUT", "/api/v1/branches/hq", {{"subnets", {"127.0.0.0/8"}}}).ok());
  REQUIRE(admin.admin_json("PUT", "/api/v1/assignments/branch/hq", {{"stack", {"base@1"}}}).ok());

  auto key = SecretKey::generate();
  TrackerClient node(t.client_options(), &key, "", clock);
  CHECK(t.enroll_endpoint(node)["branch"] == "hq");

  auto first = node.poll_desired("");
  REQUIRE(first.ok());
  CHECK(first->status == 200);
  CHECK(first->state["stack"][0]["ref"] == "base@1");
  auto again = node.poll_desired(first->etag);
  REQUIRE(again.ok());
  CHECK(again->status == 304);

  // A long poll returns as soon as an assignment changes, well before its wait.
  auto t0 = std::chrono::steady_clock::now();
  auto waiting = std::async(std::launch::async, [&] {
    TrackerClient poller(t.client_options(), &key, "", clock);
    return poller.poll_desired(first->etag, 20);
  });
  // The change lands while the poll is held (the tracker's gauge says so), so
  // what wakes it is the change, not an early answer.
  REQUIRE(test::eventually([&] { return metric(admin, "bc_tracker_http_long_polls") == 1; }, 10'000, 20));
  REQUIRE(admin.admin_json("PUT", "/api/v1/assignments/branch/hq", {{"stack", {"base@2"}}}).ok());
  auto woke = waiting.get();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(woke.ok());
  CHECK(woke->status == 200);
  CHECK(woke->state["stack"][0]["ref"] == "base@2");
  CHECK(secs < 10);
  // A long poll with nothing changing times out with 304 after its wait.
  auto quiet = node.poll_desired(woke->etag, 1);
  REQUIRE(quiet.ok());
  CHECK(quiet->status == 304);

  auto reported = node.report_status({{"applied", {"base@2"}}, {"bytes_by_source", {{"origin", 11}}}});
  REQUIRE_MESSAGE(reported.ok(), reported.status().to_string());
  auto st = admin.admin_json("GET", "/api/v1/status/branches");
  REQUIRE(st.ok());
  CHECK((*st)["hq"]["bytes_by_source"]["origin"] == 11);

  auto audit = admin.admin_json("GET", "/api/v1/audit");
  REQUIRE(audit.ok());
  CHECK((*audit)["entries"].size() == 7);
  CHECK((*audit)["entries"][0]["action"] == "layer.import");
  CHECK((*audit)["entries"][0]["remote"] == "127.0.0.1");

  auto metrics = admin.http().request("GET", "/metrics", "", {});
  REQUIRE(metrics.ok());
  CHECK(test::metric_value(metrics->body, R"(bc_tracker_http_requests_total{route="/api/v1/desired",method="GET",status="304"})")
            .value_or(0) >= 1);
  CHECK(test::metric_value(metrics->body, R"(bc_tracker_layers{state="active"})") == 2);
  CHECK(t.proc.stop() == 0);
}

TEST_CASE("kill -9 in the middle of acknowledged writes loses none of them after restart") {
  test::TmpDir tmp;
  test::TrackerProcess proc({tmp.path(), kAdmin, ""});
  uint16_t port = proc.start();
  SystemClock clock;
  std::vector<int> acked;  // written by the writer thread only, read after join
  std::atomic<size_t> acked_count{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    TrackerClient c(test::local_client(port, proc.ca_file()), nullptr, kAdmin, clock);
    for (int i = 0; !stop && i < 100'000; ++i) {
      std::string member(64, "0123456789abcdef"[i % 16]);
      auto r = c.admin_json("PUT", "/api/v1/groups/g" + std::to_string(i), {{"members", {member}}});
      if (!r.ok()) break;  // the server died under us
      acked.push_back(i);
      acked_count = acked.size();
    }
  });
  // Kill at a pseudo-random moment once some writes were acknowledged (bounded wait).
  std::mt19937 rng(static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  size_t target = 20 + rng() % 80;
  test::eventually([&] { return acked_count >= target; }, 15'000);
  proc.kill9();
  stop = true;
  writer.join();
  REQUIRE(acked.size() >= 1);
  INFO("acknowledged writes before SIGKILL: " << acked.size());

  port = proc.start();
  TrackerClient c(test::local_client(port, proc.ca_file()), nullptr, kAdmin, clock);
  for (int i : acked) {
    auto g = c.admin_json("GET", "/api/v1/groups/g" + std::to_string(i));
    CHECK_MESSAGE(g.ok(), "acknowledged group g" << i << " lost");
  }
  auto audit = c.admin_json("GET", "/api/v1/audit?limit=1000");
  REQUIRE(audit.ok());
  CHECK((*audit)["entries"].size() >= acked.size());
  uint64_t expect = 1;
  for (const auto& e : (*audit)["entries"]) CHECK(e["seq"].get<uint64_t>() == expect++);
}

TEST_CASE("a corpus of malformed requests all get 4xx (or a closed connection) and the server keeps serving") {
  test::TmpDir tmp;
  test::TrackerProcess proc({tmp.path(), kAdmin, "[limits]\nmax_body_bytes = 65536\nmax_header_bytes = 8192\n"});
  uint16_t port = proc.start();
  std::string auth = "Authorization: Bearer " + kAdmin + "\r\n";
  std::string big_header = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  std::string json_put =
      "PUT /api/v1/branches/hq HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nContent-Length: ";
  struct Case {
    std::string name, request;
    int expect;  // 0: any 4xx
  };
  std::vector<Case> cases = {
      {"garbage request line", "HELLO\r\n\r\n", 400},
      {"bad version", "GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400},
      {"space in target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"header too large", big_header, 431},
      {"body over the limit", "PUT /api/v1/branches/hq HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", 413},
      {"bad content length", "PUT /api/v1/branches/hq HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400},
      {"bad chunk", "PUT /api/v1/branches/hq HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"bad percent escape", "GET /api/v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"unknown route", "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404},
      {"wrong method", "PATCH /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 405},
      {"no auth", "GET /api/v1/branches HTTP/1.1\r\nHost: x\r\n\r\n", 401},
      {"truncated JSON", json_put + "3\r\n\r\n{\"s", 400},
      {"JSON not an object", json_put + "5\r\n\r\n[1,2]", 400},
      {"NUL in JSON", json_put + "4\r\n\r\n{\0}}", 400},
      {"deep JSON", json_put + "200\r\n\r\n" + std::string(100, '[') + std::string(100, ']'), 400},
      {"bad signature headers", "GET /api/v1/desired HTTP/1.1\r\nHost: x\r\nX-BC-Sig: 00\r\nX-BC-Node: zz\r\n\r\n", 401},
      {"HTTP/1.1 without Host", "GET /healthz HTTP/1.1\r\n\r\n", 400},
      {"two Host fields", "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400},
      {"JSON body sent as text/plain",
       "PUT /api/v1/branches/hq HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}", 415},
      {"JSON body with no Content-Type",
       "PUT /api/v1/branches/hq HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 2\r\n\r\n{}", 415},
  };
  cases[13].request = json_put + "4\r\n\r\n{" + std::string(1, '\0') + "}}";
  for (const auto& c : cases) {
    CAPTURE(c.name);
    std::string raw = test::raw_tls_exchange(port, c.request);
    int status = test::status_of(raw);
    if (c.expect) CHECK(status == c.expect);
    CHECK(status >= 400);
    CHECK(status < 500);
    if (status != 0 && raw.find("\r\n\r\n") != std::string::npos && status != 405 && status != 404)
      CHECK(raw.find("\"error\"") != std::string::npos);
  }
  // "Expect: 100-continue" gets an interim 100 before the body is sent.
  std::string expect_req = "PUT /api/v1/branches/exp HTTP/1.1\r\nHost: x\r\n" + auth +
                           "Content-Type: Application/JSON; charset=utf-8\r\n"
                           "Expect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
  std::string expect_raw = test::raw_tls_exchange(port, expect_req);
  CHECK(expect_raw.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) == 0);
  CHECK(expect_raw.find("HTTP/1.1 200 OK") != std::string::npos);
  // A slow client holding a half-sent request does not block anyone else.
  int slow = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(slow, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  ::send(slow, "\x16\x03", 2, MSG_NOSIGNAL);  // the start of a TLS record, and then nothing
  std::string ok = test::raw_tls_exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(test::status_of(ok) == 200);
  ::close(slow);
  CHECK(proc.stop() == 0);
}

TEST_CASE("with tls_cert and tls_key configured the tracker speaks HTTPS and the client verifies it") {
  test::TmpDir tmp;
  std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
                    "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " + tmp / "key.pem" +
                    " -out " + tmp / "cert.pem" + " 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  test::TrackerProcess proc({tmp.path(), kAdmin, ""});
  // tls_* belong in [server]: rewrite the generated config with them.
  std::string conf = test::read_file(tmp / "tracker.toml");
  conf.replace(conf.find("port_file"), 0, "tls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\n");
  test::write_file(tmp / "tracker.toml", conf);
  uint16_t port = proc.start();
  SystemClock clock;
  HttpClientOptions o = test::local_client(port, tmp / "cert.pem");
  TrackerClient admin(o, nullptr, kAdmin, clock);
  auto r = admin.admin_json("PUT", "/api/v1/branches/hq", {{"subnets", {"127.0.0.0/8"}}});
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  auto tok = admin.admin_json("POST", "/api/v1/enrollment-tokens", json::object());
  REQUIRE(tok.ok());
  auto key = SecretKey::generate();
  TrackerClient node(o, &key, "", clock);
  REQUIRE(node.enroll((*tok)["token"], {}).ok());
  auto poll = node.poll_desired("");
  REQUIRE(poll.ok());
  CHECK(poll->status == 200);
  // Plain HTTP to the TLS port gets a 400 saying so, and nothing it asked for.
  std::string plain = test::raw_exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 2000);
  CHECK(test::status_of(plain) == 400);
  CHECK_MESSAGE(plain.find("speaks HTTPS only") != std::string::npos, plain);
  CHECK(proc.stop() == 0);
}
