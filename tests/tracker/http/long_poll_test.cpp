// Long polls held by the real HttpServer over real loopback sockets: a client
// that goes away while parked releases its slot at once, and one that stays
// is still answered when the state changes.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <malloc.h>
#include <openssl/ssl.h>

#include "tests/support/poll.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tracker/http/http_server.hpp"

using namespace bc;
using namespace bc::tracker;

namespace {

// A ChangeFeed the test moves by hand.
class FakeFeed final : public ChangeFeed {
 public:
  uint64_t generation() const override { return gen_; }
  uint64_t on_next_change(std::function<void()> fn) override {
    std::lock_guard lock(mu_);
    watchers_.emplace_back(next_, std::move(fn));
    return next_++;
  }
  bool cancel(uint64_t id) override {
    std::lock_guard lock(mu_);
    for (auto it = watchers_.begin(); it != watchers_.end(); ++it)
      if (it->first == id) return watchers_.erase(it), true;
    return false;
  }
  void fire() {
    std::vector<std::pair<uint64_t, std::function<void()>>> fire;
    {
      std::lock_guard lock(mu_);
      ++gen_;
      fire.swap(watchers_);
    }
    for (auto& [id, fn] : fire) fn();
  }
  size_t watchers() {
    std::lock_guard lock(mu_);
    return watchers_.size();
  }

 private:
  std::atomic<uint64_t> gen_{0};
  std::mutex mu_;
  uint64_t next_ = 1;
  std::vector<std::pair<uint64_t, std::function<void()>>> watchers_;
};

using test::eventually;

const std::string kRequest = "GET /api/v1/desired?wait=60 HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"x\"\r\n\r\n";

// Answers 304 "wait up to 60 s" until the feed moves, then 200.
struct PollServer {
  FakeFeed feed;
  std::unique_ptr<HttpServer> server;
  uint16_t port = 0;
  explicit PollServer(const std::string& tls_dir = "", uint32_t max_connections = 1024) {
    ServerOptions o;
    o.read_timeout_ms = 60'000;
    o.max_connections = max_connections;
    if (!tls_dir.empty()) {
      o.tls_cert_file = tls_dir + "/cert.pem";
      o.tls_key_file = tls_dir + "/key.pem";
    }
    server = std::make_unique<HttpServer>(o, [this](HttpRequest&) {
      HttpResponse r;
      if (feed.generation() > 0) {
        r.body = "{\"changed\":true}";
        return r;
      }
      r.status = 304;
      r.long_poll_ms = 60'000;
      r.generation = 0;
      return r;
    }, &feed);
    auto p = server->start();
    REQUIRE_MESSAGE(p.ok(), p.status().to_string());
    port = *p;
  }
  // A connected socket that has sent one long-poll request.
  int poll() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::send(fd, kRequest.data(), kRequest.size(), 0) == ssize_t(kRequest.size()));
    return fd;
  }
};

// Reads from fd until `needle` arrived or 5 s passed; returns what came.
std::string read_until(int fd, const std::string& needle) {
  timeval tv{5, 0};
  REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  std::string got;
  char buf[512];
  while (got.find(needle) == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, size_t(n));
  }
  return got;
}

}  // namespace

TEST_CASE("a parked long poll releases its slot at once when the client closes the connection") {
  PollServer s;
  int fd = s.poll();
  REQUIRE(eventually([&] { return s.server->held_long_polls() == 1; }));
  ::close(fd);
  // The poll's own deadline is 60 s away: only noticing the FIN ends it within 5 s.
  CHECK(eventually([&] { return s.server->held_long_polls() == 0; }));
  CHECK(s.server->abandoned_long_polls() == 1);
  CHECK(eventually([&] { return s.server->open_connections() == 0; }));
  CHECK(s.feed.watchers() == 0);
}

TEST_CASE("a parked long poll releases its slot at once when the client resets the connection") {
  PollServer s;
  int fd = s.poll();
  REQUIRE(eventually([&] { return s.server->held_long_polls() == 1; }));
  linger l{1, 0};  // close() sends RST
  REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
  ::close(fd);
  CHECK(eventually([&] { return s.server->held_long_polls() == 0; }));
  CHECK(s.server->abandoned_long_polls() == 1);
  CHECK(eventually([&] { return s.server->open_connections() == 0; }));
}

TEST_CASE("a parked long poll whose client stays connected is answered when the state changes") {
  PollServer s;
  int fd = s.poll();
  REQUIRE(eventually([&] { return s.server->held_long_polls() == 1; }));
  s.feed.fire();
  std::string got = read_until(fd, "changed");
  CHECK_MESSAGE(got.rfind("HTTP/1.1 200", 0) == 0, got);
  CHECK(got.find("changed") != std::string::npos);
  CHECK(eventually([&] { return s.server->held_long_polls() == 0; }));
  CHECK(s.server->abandoned_long_polls() == 0);
  ::close(fd);
}

TEST_CASE("a pipelined request does not count as a disconnect: the parked poll is still answered on a change") {
  PollServer s;
  int fd = s.poll();
  REQUIRE(eventually([&] { return s.server->held_long_polls() == 1; }));
  std::string next = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
  REQUIRE(::send(fd, next.data(), next.size(), 0) == ssize_t(next.size()));
  // Several re-checks (one per 200 ms) that find the bytes still unread and
  // the peer alive: the poll must stay parked through them.
  REQUIRE(eventually([&] { return s.server->early_bytes_checks() >= 4; }));
  CHECK(s.server->held_long_polls() == 1);
  CHECK(s.server->abandoned_long_polls() == 0);
  s.feed.fire();
  // Both answers arrive, in order: the poll's, then the pipelined request's.
  std::string got = read_until(fd, ":true}HTTP/1.1 200");
  CHECK_MESSAGE(got.find(":true}HTTP/1.1 200") != std::string::npos, got);
  ::close(fd);
}

TEST_CASE("over TLS, a parked long poll is released at once when the client sends close_notify and closes") {
  bc::test::TmpDir tmp;
  std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
                    "-subj /CN=127.0.0.1 -keyout " + tmp / "key.pem" + " -out " + tmp / "cert.pem" + " 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  PollServer s(tmp.path());
  // OpenSSL on the raw socket, so the alert below goes out when it is sent.
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  REQUIRE(ctx);
  std::unique_ptr<SSL, decltype(&SSL_free)> tls(SSL_new(ctx.get()), SSL_free);  // no verification: a throwaway cert
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(s.port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(SSL_set_fd(tls.get(), fd) == 1);
  REQUIRE(SSL_connect(tls.get()) == 1);
  REQUIRE(SSL_write(tls.get(), kRequest.data(), int(kRequest.size())) == int(kRequest.size()));
  REQUIRE(eventually([&] { return s.server->held_long_polls() == 1; }));
  // What a TLS client does on close: close_notify (without waiting for the
  // server's), then FIN. The FIN waits until the server has seen the alert
  // as unread bytes from a live peer (otherwise the FIN usually lands with
  // it), so only the TCP-state re-check can notice the FIN that follows.
  REQUIRE(SSL_shutdown(tls.get()) >= 0);
  REQUIRE(eventually([&] { return s.server->early_bytes_checks() >= 1; }));
  ::close(fd);
  CHECK(eventually([&] { return s.server->held_long_polls() == 0; }));
  CHECK(s.server->abandoned_long_polls() == 1);
  CHECK(eventually([&] { return s.server->open_connections() == 0; }));
}

// 10,000 idle nodes each hold a poll: what one costs the tracker matters.
// Heap in use (glibc's mallinfo2) before and after parking 2,000 polls; the
// kernel's socket buffers come on top (a few KiB per idle TCP socket).
TEST_CASE("a parked long poll costs the server a few KiB of heap (2,000 parked polls measured)") {
  constexpr int kPolls = 2000;
  PollServer s("", 4096);
  const size_t before = mallinfo2().uordblks;
  std::vector<int> fds;
  for (int i = 0; i < kPolls; ++i) fds.push_back(s.poll());
  REQUIRE(eventually([&] { return s.server->held_long_polls() == kPolls; }, 30'000, 10));
  const size_t after = mallinfo2().uordblks;
  const double per_poll = double(after > before ? after - before : 0) / kPolls;
  MESSAGE("heap per parked long poll: " << per_poll << " bytes");
  CHECK(per_poll < 32 * 1024);
  CHECK(s.feed.watchers() == size_t(kPolls));
  for (int fd : fds) ::close(fd);
  CHECK(eventually([&] { return s.server->held_long_polls() == 0; }, 30'000, 10));
}
