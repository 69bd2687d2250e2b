// Runs the real bc-tracker binary as a child process (on 127.0.0.1 unless
// told otherwise) with an
// ephemeral port (read back from its port file) and a given data directory.
// It serves HTTPS with the certificate of its own CA (DIR/data/pki/ca.pem,
// made on first start), as in production, unless insecure_plain_http.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/net.hpp"  // free ports and raw exchanges, for the users of this header

namespace bc::test {

struct TrackerFiles {
  std::string dir;          // holds config, key, token, data/
  std::string admin_token;  // the bootstrap token
  std::string extra_toml;   // appended to the generated config
  uint16_t port = 0;        // fixed HTTP port (a restart keeps it); 0 = ephemeral
  uint16_t probe_port = 0;  // [server] probe_port (UDP RTT echo); 0 = none
  // [server] insecure_plain_http: for suites whose subject TLS would hide
  // (say which in the test). Default false: HTTPS.
  bool insecure_plain_http = false;
  std::string listen = "127.0.0.1";  // [server] listen
  std::vector<std::string> args;     // more `bc-tracker serve` arguments
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
  // The tracker's CA certificate (exists once start() returned).
  std::string ca_file() const { return files_.dir + "/data/pki/ca.pem"; }
  bool tls() const { return !files_.insecure_plain_http; }
  // "https://127.0.0.1:PORT" (http:// when insecure_plain_http).
  std::string url() const;

 private:
  TrackerFiles files_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string log_;
};

}  // namespace bc::test
