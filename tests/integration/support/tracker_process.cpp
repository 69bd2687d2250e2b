#include "tests/integration/support/tracker_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "layers/crypto/ed25519.hpp"
#include "tests/support/tmp_dir.hpp"

namespace bc::test {

TrackerProcess::TrackerProcess(TrackerFiles files) : files_(std::move(files)) {
  namespace fs = std::filesystem;
  if (!fs::exists(files_.dir + "/tracker.key")) {
    if (!SecretKey::generate().save(files_.dir + "/tracker.key").ok()) throw std::runtime_error("key");
  }
  write_file(files_.dir + "/admin.token", files_.admin_token + "\n");
  write_file(files_.dir + "/tracker.toml", R"([server]
listen = "127.0.0.1"
port = )" + std::to_string(files_.port) + R"(
port_file = "port"
probe_port = )" + std::to_string(files_.probe_port) + R"(
[storage]
data_dir = "data"
[auth]
signing_key = "tracker.key"
admin_token_file = "admin.token"
[log]
level = "debug"
)" + files_.extra_toml);
  log_ = files_.dir + "/tracker.log";
}

TrackerProcess::~TrackerProcess() {
  if (pid_ > 0) kill9();
}

uint16_t TrackerProcess::start() {
  std::string port_file = files_.dir + "/port";
  ::unlink(port_file.c_str());
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::string config = files_.dir + "/tracker.toml";
    ::execl(BC_TRACKER_BIN, "bc-tracker", "serve", "--config", config.c_str(), (char*)nullptr);
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("bc-tracker exited early; log: " + read_file(log_));
    }
    if (std::filesystem::exists(port_file)) {
      std::string text = read_file(port_file);
      if (!text.empty() && text.back() == '\n') {
        port_ = static_cast<uint16_t>(std::stoi(text));
        return port_;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill9();
  throw std::runtime_error("bc-tracker did not write its port file within 20 s");
}

void TrackerProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int TrackerProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

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

std::string raw_exchange(uint16_t port, const std::string& request, int timeout_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
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

}  // namespace bc::test
