#include "tracker/client/tracker_client.hpp"

#include <sodium.h>

#include "layers/util/hex.hpp"
#include "layers/util/json.hpp"
#include "tracker/protocol/node_signature.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {
Status status_for_http(int http, const std::string& msg) {
  switch (http) {
    case 400: return Status::invalid_argument(msg);
    case 401:
    case 403: return Status::permission_denied(msg);
    case 404: return Status::not_found(msg);
    case 409: return Status::already_exists(msg);
    case 422: return Status::corruption(msg);
    case 503: return Status::unavailable(msg);
    case 507: return Status::no_space(msg);
    default: return Status::internal(msg);
  }
}
}  // namespace

Result<json> expect_json(const Result<ClientResponse>& r, const std::string& what) {
  if (!r.ok()) return r.status();
  auto j = parse_json(r->body, JsonLimits{r->body.size() + 1, 64});
  if (r->status < 200 || r->status > 299) {
    std::string err = j.ok() && j->is_object() ? j->value("error", r->body) : r->body.substr(0, 512);
    return status_for_http(r->status, what + ": HTTP " + std::to_string(r->status) + ": " + err);
  }
  if (!j.ok()) return Status::corruption(what + ": response is not JSON: " + j.status().message());
  return std::move(j).value();
}

TrackerClient::TrackerClient(HttpClientOptions options, const SecretKey* node_key,
                             std::string admin_token, const Clock& clock)
    : http_(std::move(options)), key_(node_key), admin_token_(std::move(admin_token)), clock_(clock) {}

Result<ClientResponse> TrackerClient::admin_call(const std::string& method, const std::string& target,
                                                 const std::string& body) {
  std::vector<std::pair<std::string, std::string>> h = {{"Authorization", "Bearer " + admin_token_}};
  if (!body.empty()) h.emplace_back("Content-Type", "application/json");
  return http_.request(method, target, body, h);
}

Result<ClientResponse> TrackerClient::node_call(const std::string& method, const std::string& target,
                                                const std::string& body, uint32_t timeout_ms) {
  if (!key_) return Status::invalid_argument("node call without a node key");
  uint8_t nonce[16];
  randombytes_buf(nonce, sizeof nonce);
  auto sig = sign_request(*key_, method, target, clock_.unix_s(), to_hex(nonce), body);
  std::vector<std::pair<std::string, std::string>> h = {
      {"X-BC-Node", sig.node}, {"X-BC-Time", sig.time}, {"X-BC-Nonce", sig.nonce}, {"X-BC-Sig", sig.sig}};
  if (!body.empty()) h.emplace_back("Content-Type", "application/json");
  return http_.request(method, target, body, h, timeout_ms);
}

Result<json> TrackerClient::enroll(const std::string& token, const std::map<std::string, std::string>& facts,
                                   const std::optional<std::string>& branch) {
  json body = {{"token", token}, {"facts", facts}};
  if (branch) body["branch"] = *branch;
  return expect_json(node_call("POST", "/api/v1/enroll", body.dump()), "enroll");
}

Result<json> TrackerClient::register_reflector(const std::string& token, const json& fields) {
  json body = fields;
  body["token"] = token;
  return expect_json(node_call("POST", "/api/v1/reflectors/register", body.dump()), "register reflector");
}

Result<json> TrackerClient::put_facts(const std::map<std::string, std::string>& facts) {
  return expect_json(node_call("PUT", "/api/v1/facts", json{{"facts", facts}}.dump()), "hardware facts");
}

Result<json> TrackerClient::heartbeat(const json& fields) {
  return expect_json(node_call("POST", "/api/v1/reflectors/heartbeat", fields.dump()), "heartbeat");
}

Result<DesiredPoll> TrackerClient::poll_desired(const std::string& etag, int wait_s) {
  if (!key_) return Status::invalid_argument("poll without a node key");
  std::string target = "/api/v1/desired";
  if (wait_s > 0) target += "?wait=" + std::to_string(wait_s);
  uint8_t nonce[16];
  randombytes_buf(nonce, sizeof nonce);
  auto sig = sign_request(*key_, "GET", target, clock_.unix_s(), to_hex(nonce), "");
  std::vector<std::pair<std::string, std::string>> h = {
      {"X-BC-Node", sig.node}, {"X-BC-Time", sig.time}, {"X-BC-Nonce", sig.nonce}, {"X-BC-Sig", sig.sig}};
  if (!etag.empty()) h.emplace_back("If-None-Match", etag);
  auto r = http_.request("GET", target, "", h, static_cast<uint32_t>(wait_s * 1000 + 30'000));
  if (!r.ok()) return r.status();
  DesiredPoll out;
  out.status = r->status;
  out.etag = r->header("etag");
  if (r->status == 304) {
    if (out.etag.empty()) out.etag = etag;
    return out;
  }
  if (r->status == 503) {
    out.etag = etag;
    const std::string& after = r->header("retry-after");
    if (!after.empty() && after.size() <= 5 && after.find_first_not_of("0123456789") == std::string::npos)
      out.retry_after_s = std::stoi(after);
    return out;
  }
  BC_ASSIGN_OR_RETURN(out.state, expect_json(r, "poll desired state"));
  return out;
}

Result<json> TrackerClient::report_status(const json& report) {
  return expect_json(node_call("POST", "/api/v1/status", report.dump()), "report status");
}

Result<json> TrackerClient::admin_json(const std::string& method, const std::string& target,
                                       const json& body) {
  return expect_json(admin_call(method, target, body.is_null() ? "" : body.dump()), method + " " + target);
}

}  // namespace bc::tracker
