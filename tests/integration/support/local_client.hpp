// Client options for talking to a bc-tracker child process on 127.0.0.1,
// shared by the integration suites.
#pragma once

#include <cstdint>

#include "tracker/client/http_client.hpp"

namespace bc::test {

// 127.0.0.1:port with a timeout generous enough for a loaded CI machine.
inline tracker::HttpClientOptions local_client(uint16_t port) {
  tracker::HttpClientOptions o;
  o.port = port;
  o.timeout_ms = 20'000;
  return o;
}

}  // namespace bc::test
