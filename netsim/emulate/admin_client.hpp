// The orchestrator's admin connection to the bc-tracker running inside the
// datacenter node's namespace. The tracker has no address reachable from the
// host namespace (by design: nothing of ours routes there), so every call
// enters the node's namespace on the calling thread around the request; the
// keep-alive socket is created there and stays there.
//
// Thread affinity: one thread (TrackerClient is not thread-safe).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "layers/util/clock.hpp"
#include "layers/util/status.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::netsim {

class AdminClient {
 public:
  // netns: the tracker node's namespace; host:port where the tracker listens;
  // token: the bootstrap admin token; ca_file: the tracker's CA (HTTPS
  // checked against it; "" = plain HTTP). timeout_ms bounds every call; the
  // default is long because importing a layer of gigabytes copies and
  // verifies it inside the call (a down tracker fails at connect, at once).
  AdminClient(std::string netns, std::string host, std::uint16_t port, std::string token, std::string ca_file,
              std::uint32_t timeout_ms = 300'000);

  // A JSON call that must answer 2xx; unavailable when the tracker cannot be
  // reached, the server's error otherwise.
  Result<nlohmann::json> call(const std::string& method, const std::string& target,
                              const nlohmann::json& body = nullptr);
  // Drops the keep-alive connection (after the tracker was restarted).
  void reset();

 private:
  std::string netns_;
  std::string token_;
  tracker::HttpClientOptions http_;
  SystemClock clock_;
  std::unique_ptr<tracker::TrackerClient> client_;
};

}  // namespace bc::netsim
