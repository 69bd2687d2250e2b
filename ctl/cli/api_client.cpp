#include "ctl/cli/api_client.hpp"

#include <cstdlib>

#include "node/tracker_url.hpp"

namespace bc::ctl {

using nlohmann::json;

Result<tracker::HttpClientOptions> http_options(const std::string& url, const std::string& ca_file,
                                                bool insecure_plain_http) {
  BC_ASSIGN_OR_RETURN(node::TrackerUrl u, node::parse_tracker_url(url));
  if (!u.path.empty())
    return Status::invalid_argument("tracker URL " + url + " has a path; give https://HOST:PORT only");
  if (!u.tls() && !insecure_plain_http)
    return Status::invalid_argument("tracker URL " + url +
                                    " is plain http: the token would cross the network in clear; use https:// "
                                    "(or --insecure-plain-http, for tests only)");
  if (u.tls() && insecure_plain_http)
    return Status::invalid_argument("--insecure-plain-http needs an http:// tracker URL, not " + url);
  tracker::HttpClientOptions o;
  o.host = u.host;
  o.port = u.port;
  o.tls = u.tls();
  o.ca_file = ca_file;
  o.timeout_ms = 30'000;
  return o;
}

Result<std::unique_ptr<AdminApi>> AdminApi::open(const Context& c, bool env_token) {
  BC_ASSIGN_OR_RETURN(auto o, http_options(c.tracker, c.ca_file, c.insecure_plain_http));
  if (o.tls && c.ca_file.empty())
    return Status::invalid_argument("context has no pinned CA (ca_file): add it again with bcctl context add");
  TrackerTarget t{o, c.token};
  if (const char* env = std::getenv("BCCTL_TOKEN"); env_token && env && *env) t.token = env;
  if (t.token.empty())
    return Status::invalid_argument("no token: the context has none and BCCTL_TOKEN is not set");
  return std::unique_ptr<AdminApi>(new AdminApi(std::move(t), c.tracker));
}

AdminApi::AdminApi(TrackerTarget t, std::string where)
    : target_(std::move(t)), where_(std::move(where)), http_(target_.http) {}

Status status_for_http(int http, const std::string& body) {
  json j = json::parse(body, nullptr, false);
  std::string msg = j.is_object() && j.contains("error") && j["error"].is_string()
                        ? j["error"].get<std::string>()
                        : body.substr(0, 200);
  msg = "tracker answered " + std::to_string(http) + ": " + msg;
  if (http == 401 || http == 403) return Status::permission_denied(msg);
  if (http == 404) return Status::not_found(msg);
  if (http == 409) return Status::already_exists(msg);
  if (http >= 400 && http < 500) return Status::invalid_argument(msg);
  return Status::internal(msg);
}

Result<tracker::ClientResponse> AdminApi::get_raw(const std::string& target,
                                                  const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> h = {{"Authorization", "Bearer " + target_.token}};
  h.insert(h.end(), extra.begin(), extra.end());
  auto r = http_.request("GET", target, "", h);
  // Whatever kept the request from an answer (refused, timed out, TLS
  // refused: a tracker that is not the one pinned) is "unreachable".
  if (!r.ok()) return Status::unavailable(r.status().message());
  return r;
}

Result<json> AdminApi::call(const std::string& method, const std::string& target, const json* body) {
  std::vector<std::pair<std::string, std::string>> h = {{"Authorization", "Bearer " + target_.token}};
  std::string text;
  if (body) {
    text = body->dump();
    h.emplace_back("Content-Type", "application/json");
  }
  auto r = http_.request(method, target, text, h);
  if (!r.ok()) return Status::unavailable(r.status().message());
  if (r->status < 200 || r->status >= 300) return status_for_http(r->status, r->body);
  if (r->body.empty()) return json();
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return Status::internal("tracker answered " + std::to_string(r->status) + " with a body that is not JSON");
  return j;
}

}  // namespace bc::ctl
