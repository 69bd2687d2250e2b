#include "tests/support/net.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include <cstdlib>
#include <stdexcept>

namespace bc::test {

namespace {
// A port of `type` (SOCK_STREAM or SOCK_DGRAM) on 127.0.0.1 that was free
// when asked: bind to 0, read it back, close.
uint16_t free_port(int type, const char* what) {
  int fd = ::socket(AF_INET, type, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(std::string(what) + ": cannot bind 127.0.0.1:0");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}
}  // namespace

uint16_t free_tcp_port() { return free_port(SOCK_STREAM, "free_tcp_port"); }
uint16_t free_udp_port() { return free_port(SOCK_DGRAM, "free_udp_port"); }

namespace {
// A socket connected to 127.0.0.1:port with receive timeouts, from the local
// address `source_ip` when not empty, or -1.
int connect_loopback(const std::string& source_ip, uint16_t port, int timeout_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (!source_ip.empty()) {
    sockaddr_in src{};
    src.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source_ip.c_str(), &src.sin_addr) != 1 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}
}  // namespace

std::string raw_tls_exchange(uint16_t port, const std::string& request, int timeout_ms) {
  return raw_tls_exchange_from("", port, request, timeout_ms);
}

std::string raw_tls_exchange_from(const std::string& source_ip, uint16_t port, const std::string& request,
                                  int timeout_ms) {
  int fd = connect_loopback(source_ip, port, timeout_ms);
  if (fd < 0) return "";
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = ctx ? SSL_new(ctx) : nullptr;
  std::string out;
  if (ssl && SSL_set_fd(ssl, fd) == 1 && SSL_connect(ssl) == 1) {
    size_t sent = 0;
    while (sent < request.size()) {
      int n = SSL_write(ssl, request.data() + sent, static_cast<int>(request.size() - sent));
      if (n <= 0) break;  // the server may answer and close before reading everything
      sent += size_t(n);
    }
    SSL_shutdown(ssl);  // close_notify: the end of what we send
    char buf[4096];
    for (;;) {
      int n = SSL_read(ssl, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, size_t(n));
    }
  }
  if (ssl) SSL_free(ssl);
  if (ctx) SSL_CTX_free(ctx);
  ::close(fd);
  return out;
}

std::string raw_exchange(uint16_t port, const std::string& request, int timeout_ms) {
  return raw_exchange_from("", port, request, timeout_ms);
}

std::string raw_exchange_from(const std::string& source_ip, uint16_t port, const std::string& request,
                              int timeout_ms) {
  int fd = connect_loopback(source_ip, port, timeout_ms);
  if (fd < 0) return "";
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer and close before reading everything
    sent += size_t(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, size_t(n));
  }
  ::close(fd);
  return out;
}

int status_of(const std::string& raw) {
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return 0;
  return std::atoi(raw.substr(9, 3).c_str());
}

std::string body_of(const std::string& raw) {
  auto p = raw.find("\r\n\r\n");
  return p == std::string::npos ? "" : raw.substr(p + 4);
}

}  // namespace bc::test
