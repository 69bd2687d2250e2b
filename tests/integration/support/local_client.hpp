// Client options for talking to a bc-tracker child process on 127.0.0.1,
// shared by the integration suites.
#pragma once

#include <cstdint>
#include <string>

#include "tracker/client/http_client.hpp"

namespace bc::test {

// 127.0.0.1:port over TLS checked against `ca_file` (the tracker's CA,
// TrackerProcess::ca_file()), with a timeout generous enough for a loaded CI
// machine. An empty ca_file means plain HTTP (a tracker started with
// insecure_plain_http).
inline tracker::HttpClientOptions local_client(uint16_t port, const std::string& ca_file) {
  tracker::HttpClientOptions o;
  o.port = port;
  o.tls = !ca_file.empty();
  o.ca_file = ca_file;
  o.timeout_ms = 20'000;
  return o;
}

}  // namespace bc::test
