// Options of the HTTP server. Every limit is named here with its default.
#pragma once

#include <cstdint>
#include <string>

#include "layers/util/status.hpp"

namespace bc::tracker {

struct ServerOptions {
  std::string listen_address = "127.0.0.1";  // IP to bind; default loopback
  uint16_t port = 0;                         // TCP port; 0 = ephemeral; default 0
  std::string tls_cert_file;                 // PEM chain; TLS when both set; default none
  std::string tls_key_file;                  // PEM private key; default none
  uint32_t max_header_bytes = 16 * 1024;     // request line + headers, bytes; default 16 KiB
  uint64_t max_body_bytes = 1 << 20;         // request body, bytes; default 1 MiB
  // Requests whose target starts with large_body_prefix may carry bodies up
  // to large_body_bytes (the upload API's chunks, which bounds them itself);
  // default none (empty prefix).
  std::string large_body_prefix;
  uint64_t large_body_bytes = 0;
  uint32_t read_timeout_ms = 30'000;         // one whole request incl. keep-alive idle; default 30 s
  uint32_t write_timeout_ms = 30'000;        // one whole response; default 30 s
  uint32_t max_connections = 1024;           // open connections; more are closed at accept; default 1024
  uint32_t max_long_polls = 4096;            // requests held waiting for a change; default 4096
  // Beyond max_long_polls a long poll is answered 503 with this Retry-After,
  // seconds, so refused pollers come back later rather than at once; default 5.
  uint32_t long_poll_retry_after_s = 5;
  unsigned io_threads = 1;                   // network threads; default 1
  unsigned worker_threads = 4;               // handler threads (LMDB, verification); default 4

  Status validate() const;
  bool tls() const { return !tls_cert_file.empty(); }
};

}  // namespace bc::tracker
