// Runs the real bc-tracker binary as a child process on 127.0.0.1 with an
// ephemeral port (read back from its port file) and a given data directory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace bc::test {

struct TrackerFiles {
  std::string dir;          // holds config, key, token, data/
  std::string admin_token;  // the bootstrap token
  std::string extra_toml;   // appended to the generated config
  uint16_t port = 0;        // fixed HTTP port (a restart keeps it); 0 = ephemeral
  uint16_t probe_port = 0;  // [server] probe_port (UDP RTT echo); 0 = none
};

class TrackerProcess {
 public:
  // Writes config/key/token into files.dir (key and token only once).
  explicit TrackerProcess(TrackerFiles files);
  ~TrackerProcess();  // SIGKILLs a running child

  // Starts the child and waits (bounded, 20 s) for its port file. Throws on failure.
  uint16_t start();
  // SIGKILL and reap.
  void kill9();
  // SIGTERM and reap; returns the exit status.
  int stop();
  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  const std::string& log_path() const { return log_; }

 private:
  TrackerFiles files_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string log_;
};

// The raw bytes a server answered to `request` on a fresh connection to
// 127.0.0.1:port (until the server closes or timeout_ms passes).
// A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read, close),
// for a server that must come back on the same port after a restart.
uint16_t free_tcp_port();
// The same for a UDP port (the tracker's probe responder).
uint16_t free_udp_port();

std::string raw_exchange(uint16_t port, const std::string& request, int timeout_ms = 5000);
// The status code of the first response line ("HTTP/1.1 400 ...") or 0.
int status_of(const std::string& raw);

}  // namespace bc::test
