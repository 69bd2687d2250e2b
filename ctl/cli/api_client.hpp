// bcctl's side of the tracker's HTTPS API: one keep-alive connection checked
// against the context's pinned CA, the admin token in the Authorization
// header, JSON in and out, and every failure as a Status whose code is the
// exit class (exit_codes.hpp): transport and TLS failures unavailable, 401
// and 403 permission_denied, 404 not_found, other 4xx invalid_argument, 5xx
// internal, each with the tracker's own message.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ctl/cli/ctl_config.hpp"
#include "ctl/push/layer_push.hpp"
#include "tracker/client/http_client.hpp"

namespace bc::ctl {

class AdminApi {
 public:
  // The client for `c`; with env_token, BCCTL_TOKEN (when set) overrides the
  // context's token. invalid_argument for a malformed tracker URL or a
  // context without a CA.
  static Result<std::unique_ptr<AdminApi>> open(const Context& c, bool env_token = true);

  // A JSON request; the 2xx body parsed (null for an empty body).
  Result<nlohmann::json> call(const std::string& method, const std::string& target,
                              const nlohmann::json* body = nullptr);
  // The raw response of a GET (blobs, ETags): any HTTP status; transport
  // errors only. `headers` are added to the request.
  Result<tracker::ClientResponse> get_raw(const std::string& target,
                                          const std::vector<std::pair<std::string, std::string>>& headers = {});
  // What layer push needs: the address, the pinned CA and the token.
  TrackerTarget target() const { return target_; }
  const std::string& where() const { return where_; }

 private:
  AdminApi(TrackerTarget t, std::string where);
  TrackerTarget target_;
  std::string where_;  // "https://HOST:PORT", for messages
  tracker::HttpClient http_;
};

// The error Status for a non-2xx response: the tracker's {"error"} message
// (or the body's start) with the HTTP status.
Status status_for_http(int http_status, const std::string& body);

// Client options for `url` ("https://HOST:PORT"): TLS checked against ca_file
// unless insecure_plain_http (then the URL must be http://).
Result<tracker::HttpClientOptions> http_options(const std::string& url, const std::string& ca_file,
                                                bool insecure_plain_http);

}  // namespace bc::ctl
