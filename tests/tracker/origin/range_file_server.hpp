// A tiny Range-capable static file server for web seed tests (BEP 19), on
// 127.0.0.1 over POSIX sockets. It serves an origin store with the layout an
// operator must reproduce (docs/api.md, "Web seeds"):
//   GET /<key>/<top>/<path>  ->  <root>/<key>/<path>   (multi-file layer)
//   GET /<key>/<file>        ->  <root>/<key>/<file>   (single-file layer)
// A web seed token before <key> (/<node>/<expiry>/<mac>/<key>/...) is
// dropped without a check: the server stands for nginx after auth_request.
// GET only, "Range: bytes=A-B" (one range) or whole files, keep-alive.
// Test support: one thread per connection, at most kMaxConnections.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bc::test {

class RangeFileServer {
 public:
  static constexpr int kMaxConnections = 32;
  explicit RangeFileServer(std::string root);  // REQUIRES: root exists; listens on 127.0.0.1:0
  ~RangeFileServer();
  uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Request targets seen and payload bytes sent (for assertions).
  std::vector<std::string> targets() const;
  uint64_t bytes_sent() const { return bytes_sent_.load(); }
  // Maps a request target to a file under root ("" when it maps to none).
  std::string map_target(const std::string& target) const;

 private:
  void accept_loop();
  void serve(int fd);
  std::string root_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> bytes_sent_{0};
  mutable std::mutex mu_;
  std::vector<std::string> targets_;
  std::vector<std::thread> workers_;
  std::vector<int> conn_fds_;
  std::thread acceptor_;
};

}  // namespace bc::test
