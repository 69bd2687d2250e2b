// A small synchronous HTTP/1.1 client over Beast (plain or TLS), one
// keep-alive connection, reconnecting when the server closed it. Every
// operation runs under a timeout; responses are bounded. Not thread-safe:
// one per thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::tracker {

struct HttpClientOptions {
  std::string host = "127.0.0.1";        // server address or name; default loopback
  uint16_t port = 0;                     // required
  bool tls = false;                      // HTTPS; default off
  // TLS: PEM file of the trusted CA (the tracker's CA a node pinned);
  // required when tls and tls_verify. The server's certificate must chain to
  // it and name `host` (DNS or IP); a mismatch is permission_denied naming
  // the pinned CA's fingerprint (tls_check.hpp).
  std::string ca_file;
  // false: accept any certificate. Only to read the CA a node is about to
  // pin on first use (enrollment without --tracker-ca*), never to send a
  // secret. Default true.
  bool tls_verify = true;
  uint32_t timeout_ms = 30'000;          // connect, and each whole request; default 30 s
  uint64_t max_response_bytes = 256u << 20;  // body limit; default 256 MiB
  Status validate() const;
};

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  const std::string& header(const std::string& name) const;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request; unavailable when the server cannot be reached or the
  // connection fails mid-way; permission_denied when its TLS certificate is
  // refused (one retry on a fresh connection when a reused
  // keep-alive connection turns out closed before any byte came back).
  Result<ClientResponse> request(const std::string& method, const std::string& target,
                                 const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 uint32_t timeout_ms = 0);
  void close();
  // Thread-safe, the one call another thread may make: the request in
  // flight (a long poll held by the server) and every later one end at once
  // with unavailable. For shutting down a thread blocked in request().
  void interrupt();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bc::tracker
