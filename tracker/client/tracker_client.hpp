// The tracker's client library, for reflectors, endpoints, tools and tests.
// Node calls are signed with the node's Ed25519 key (node_signature.hpp);
// admin calls carry a bearer token. Not thread-safe: one per thread.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "layers/crypto/ed25519.hpp"
#include "layers/util/clock.hpp"
#include "tracker/client/http_client.hpp"

namespace bc::tracker {

struct DesiredPoll {
  int status = 0;            // 200 (changed: `state` holds it), 304 (unchanged) or
                             // 503 (the tracker holds too many long polls: come back later)
  std::string etag;          // send back as `etag` next time
  nlohmann::json state;      // the desired state (200 only)
  int retry_after_s = 0;     // 503 only: the tracker's Retry-After, seconds (0 = none given)
};

class TrackerClient {
 public:
  // node_key may be null for admin-only use; clock signs request times.
  TrackerClient(HttpClientOptions options, const SecretKey* node_key, std::string admin_token,
                const Clock& clock);

  // Raw calls: the response whatever its status.
  Result<ClientResponse> admin_call(const std::string& method, const std::string& target,
                                    const std::string& body = "");
  Result<ClientResponse> node_call(const std::string& method, const std::string& target,
                                   const std::string& body = "", uint32_t timeout_ms = 0);

  // Node API. Non-2xx answers become a Status carrying the server's error.
  Result<nlohmann::json> enroll(const std::string& token,
                                const std::map<std::string, std::string>& facts,
                                const std::optional<std::string>& branch = std::nullopt);
  Result<nlohmann::json> register_reflector(const std::string& token, const nlohmann::json& fields);
  Result<nlohmann::json> heartbeat(const nlohmann::json& fields);
  // PUT /api/v1/facts: an enrolled endpoint's hardware facts, when they changed.
  Result<nlohmann::json> put_facts(const std::map<std::string, std::string>& facts);
  // GET /api/v1/desired with If-None-Match: etag and ?wait=wait_s (a long
  // poll: the tracker holds the request until the state changes or wait_s
  // pass). 200, 304 and 503 are results; other answers are errors.
  Result<DesiredPoll> poll_desired(const std::string& etag, int wait_s = 0);
  Result<nlohmann::json> report_status(const nlohmann::json& report);

  // Admin helper: a JSON call that must answer 2xx.
  Result<nlohmann::json> admin_json(const std::string& method, const std::string& target,
                                    const nlohmann::json& body = nullptr);

  HttpClient& http() { return http_; }

 private:
  HttpClient http_;
  const SecretKey* key_;
  std::string admin_token_;
  const Clock& clock_;
};

// A 2xx response's JSON body, or a Status built from the server's {"error"}.
Result<nlohmann::json> expect_json(const Result<ClientResponse>& r, const std::string& what);

}  // namespace bc::tracker
