// Tracker control-plane throughput: desired-state polls (full and 304),
// durable status writes, and 304 polls over real HTTPS (the tracker's
// default) or plain HTTP on loopback. Prints rates and ratios against the
// in-process 304 poll measured in the same run.
//   build/tracker/bench_tracker_api [endpoints=200] [seconds_per_case=2] [tls|plain=tls]
#include <sodium.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <atomic>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"
#include "tracker/app/tracker_app.hpp"
#include "tracker/protocol/node_signature.hpp"
#include "tracker/client/tracker_client.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {

HttpRequest signed_req(const SecretKey& key, const Clock& clock, const std::string& method,
                       const std::string& target, const std::string& body) {
  uint8_t nonce[16];
  randombytes_buf(nonce, sizeof nonce);
  auto h = sign_request(key, method, target, clock.unix_s(), to_hex(nonce), body);
  HttpRequest r;
  r.method = method;
  r.target = target;
  r.body = body;
  r.remote_address = "10.0.0.1";
  r.headers = {{"x-bc-node", h.node}, {"x-bc-time", h.time}, {"x-bc-nonce", h.nonce}, {"x-bc-sig", h.sig}};
  if (!body.empty()) r.headers["content-type"] = "application/json";  // the API refuses JSON sent as anything else
  return r;
}

double rate(double seconds, const std::function<void()>& op) {
  auto t0 = std::chrono::steady_clock::now();
  size_t n = 0;
  double elapsed = 0;
  while (elapsed < seconds) {
    op();
    ++n;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return n / elapsed;
}

void expect(int got, int want, const char* what) {
  if (got != want) throw std::runtime_error(std::string(what) + ": HTTP " + std::to_string(got));
}

}  // namespace

int main(int argc, char** argv) {
  int endpoints = argc > 1 ? std::atoi(argv[1]) : 200;
  double secs = argc > 2 ? std::atof(argv[2]) : 2.0;
  const bool tls = argc <= 3 || std::string(argv[3]) != "plain";
  char tmpl[] = "/tmp/bc-bench-tracker-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  (void)SecretKey::generate().save(dir + "/tracker.key");
  (void)write_file_atomic(dir + "/admin.token", "bench-admin-token-0123456789", 0600);
  auto config = parse_config(R"([storage]
data_dir = "data"
[auth]
signing_key = "tracker.key"
admin_token_file = "admin.token"
replay_nonces_per_node = 1000000  # one node polls thousands of times a second here
[server]
insecure_plain_http = )" + std::string(tls ? "false" : "true") + "\n", dir);
  SystemClock clock;
  auto app = std::move(TrackerApp::create(*config, clock)).value();
  auto admin = [&](const std::string& m, const std::string& t, const json& b) {
    HttpRequest r;
    r.method = m;
    r.target = t;
    r.body = b.dump();
    r.headers["authorization"] = "Bearer bench-admin-token-0123456789";
    r.headers["content-type"] = "application/json";
    return app->handle(r);
  };
  expect(admin("PUT", "/api/v1/branches/hq", {{"subnets", {"10.0.0.0/8"}}}).status, 200, "branch");
  expect(admin("PUT", "/api/v1/assignments/branch/hq", {{"stack", json::array()}}).status, 200, "assign");
  auto tok = json::parse(admin("POST", "/api/v1/enrollment-tokens", {{"reusable", true}}).body)["token"];
  std::vector<SecretKey> keys;
  for (int i = 0; i < endpoints; ++i) {
    keys.push_back(SecretKey::generate());
    auto r = signed_req(keys.back(), clock, "POST", "/api/v1/enroll", json{{"token", tok}}.dump());
    expect(app->handle(r).status, 201, "enroll");
  }
  auto r0 = signed_req(keys[0], clock, "GET", "/api/v1/desired", "");
  auto first = app->handle(r0);
  std::string etag;
  for (auto& [k, v] : first.headers) if (k == "ETag") etag = v;

  size_t i = 0;
  double full = rate(secs, [&] {
    auto r = signed_req(keys[i++ % keys.size()], clock, "GET", "/api/v1/desired", "");
    expect(app->handle(r).status, 200, "poll");
  });
  double not_modified = rate(secs, [&] {
    auto r = signed_req(keys[0], clock, "GET", "/api/v1/desired", "");
    r.headers["if-none-match"] = etag;
    expect(app->handle(r).status, 304, "poll 304");
  });
  std::string report = json{{"bytes_by_source", {{"origin", 1}, {"reflector", 2}, {"peer", 3}}}}.dump();
  double writes = rate(secs, [&] {
    auto r = signed_req(keys[i++ % keys.size()], clock, "POST", "/api/v1/status", report);
    expect(app->handle(r).status, 200, "status");
  });
  // Four writers at once, as the server's four workers would be: group commit
  // shares each fsync among the writes that arrived together.
  std::atomic<size_t> done{0};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w] {
      for (size_t j = w; std::chrono::steady_clock::now() - t0 < std::chrono::duration<double>(secs); j += 4) {
        auto r = signed_req(keys[j % keys.size()], clock, "POST", "/api/v1/status", report);
        if (app->handle(r).status == 200) done++;
      }
    });
  for (auto& t : writers) t.join();
  double parallel_writes = done / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Reflector liveness (issue #17): bare heartbeats ("{}", one durable write
  // each) from 600 reflectors (200 branches x 3), one writer and four.
  auto rtok = json::parse(admin("POST", "/api/v1/enrollment-tokens", {{"role", "reflector"}, {"reusable", true}}).body)["token"];
  std::vector<SecretKey> reflectors;
  for (int k = 0; k < 600; ++k) {
    reflectors.push_back(SecretKey::generate());
    auto r = signed_req(reflectors.back(), clock, "POST", "/api/v1/reflectors/register",
                        json{{"token", rtok}, {"branch", "hq"}}.dump());
    expect(app->handle(r).status, 201, "register reflector");
  }
  double heartbeats = rate(secs, [&] {
    auto r = signed_req(reflectors[i++ % reflectors.size()], clock, "POST", "/api/v1/reflectors/heartbeat", "{}");
    expect(app->handle(r).status, 200, "heartbeat");
  });
  done = 0;
  t0 = std::chrono::steady_clock::now();
  writers.clear();
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w] {
      for (size_t j = w; std::chrono::steady_clock::now() - t0 < std::chrono::duration<double>(secs); j += 4) {
        auto r = signed_req(reflectors[j % reflectors.size()], clock, "POST", "/api/v1/reflectors/heartbeat", "{}");
        if (app->handle(r).status == 200) done++;
      }
    });
  for (auto& t : writers) t.join();
  double parallel_heartbeats = done / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Printed now, before the HTTP case (which needs a free port and a TLS stack).
  std::printf("  in-process 304 poll (reference)     %10.0f /s  1.00x\n", not_modified);
  std::printf("  bare reflector heartbeat (fsync)     %10.0f /s  %.3fx\n", heartbeats, heartbeats / not_modified);
  std::printf("  bare heartbeat, 4 writers (group)    %10.0f /s  %.3fx  (600 reflectors at 3 s need 200 /s)\n",
              parallel_heartbeats, parallel_heartbeats / not_modified);
  std::fflush(stdout);
  uint16_t port = *app->start();
  HttpClientOptions o;
  o.port = port;
  o.tls = tls;
  o.ca_file = dir + "/data/pki/ca.pem";
  TrackerClient client(o, &keys[0], "", clock);
  double http = rate(secs, [&] {
    auto p = client.poll_desired(etag);
    if (!p.ok() || p->status != 304) throw std::runtime_error("http poll failed");
  });
  app->stop();
  std::printf("tracker control plane, %d endpoints, %.1f s per case\n", endpoints, secs);
  std::printf("  in-process 304 poll (reference)     %10.0f /s  1.00x\n", not_modified);
  std::printf("  in-process full desired-state poll  %10.0f /s  %.2fx\n", full, full / not_modified);
  std::printf("  durable status report (LMDB fsync)  %10.0f /s  %.3fx\n", writes, writes / not_modified);
  std::printf("  durable status, 4 writers (group)    %10.0f /s  %.3fx\n", parallel_writes, parallel_writes / not_modified);
  std::printf("  %s keep-alive 304 poll, loopback %10.0f /s  %.2fx\n", tls ? "HTTPS" : "HTTP ", http,
              http / not_modified);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
