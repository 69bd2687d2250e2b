// Certificates for external HTTPS web seeds (docs/security.md, "SSL torrents
// and HTTPS web seeds"): libtorrent trusts only the torrent's root — our CA —
// for an https web seed of an SSL torrent, and checks the URL's host against
// the server's certificate. So a web server in front of the store needs a
// certificate from the tracker's CA naming its host:
//   POST /api/v1/webseed/certs  admin: {"public_key": PEM, "names": [host...],
//        "lifetime_s": 1 day .. 397 days, default 90 days}
//   -> {"cert": PEM, "ca": PEM, "serial", "not_after"}; audited (webseed.cert).
// The names must be host names with a dot or IP literals: never a bare word
// that could read as a torrent name (our peer guard matches names exactly,
// so such a certificate could not join a swarm either).
#include <arpa/inet.h>

#include "layers/pki/pki.hpp"
#include "tracker/api/api_route.hpp"
#include "tracker/api/json_input.hpp"
#include "tracker/webseed/web_seed_api.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

constexpr int64_t kDefaultLifetimeS = 90 * 86'400, kMinLifetimeS = 86'400, kMaxLifetimeS = 397 * 86'400;
constexpr size_t kMaxNames = 16;

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool is_host_name(const std::string& s) {
  if (s.empty() || s.size() > 253 || s.find('.') == std::string::npos || s.front() == '.' || s.back() == '.')
    return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  return s.find("..") == std::string::npos;
}

Result<json> issue_web_seed_cert(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  if (!ctx.ca) return Status::unavailable("this tracker has no certificate authority");
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits));
  BC_RETURN_IF_ERROR(check_fields(body, {"public_key", "names", "lifetime_s"}));
  BC_ASSIGN_OR_RETURN(std::string public_pem, req_string(body, "public_key", ctx.limits));
  if (!body.contains("names") || !body["names"].is_array() || body["names"].empty() ||
      body["names"].size() > kMaxNames)
    return Status::invalid_argument("body: names must be an array of 1 to 16 host names or IP addresses");
  pki::CertSpec spec;
  for (const auto& n : body["names"]) {
    const std::string name = n.is_string() ? n.get<std::string>() : "";
    if (is_ip(name)) spec.ip_addresses.push_back(name);
    else if (is_host_name(name)) spec.dns_names.push_back(name);
    else
      return Status::invalid_argument("body: names: '" + name.substr(0, 64) +
                                      "' is not a lower-case host name with a dot, nor an IP address");
  }
  int64_t lifetime_s = kDefaultLifetimeS;
  if (body.contains("lifetime_s")) {
    if (!body["lifetime_s"].is_number_integer()) return Status::invalid_argument("body: lifetime_s must be an integer");
    lifetime_s = body["lifetime_s"].get<int64_t>();
    if (lifetime_s < kMinLifetimeS || lifetime_s > kMaxLifetimeS)
      return Status::invalid_argument("body: lifetime_s must be in [86400, 34300800] seconds (1 to 397 days)");
  }
  const int64_t now = ctx.clock.unix_s();
  spec.common_name = "branchcast web seed";  // not a torrent name: no peer guard accepts it
  spec.not_before_unix = now - ctx.limits.max_clock_skew_s;
  spec.not_after_unix = now + lifetime_s;
  auto pem = ctx.ca->issue(public_pem, spec);
  if (!pem.ok()) return Status::invalid_argument("body: public_key: " + pem.status().message());
  BC_ASSIGN_OR_RETURN(pki::CertInfo info, pki::inspect(*pem));
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    return audit(t, ctx, who, req, "webseed.cert", info.serial_hex,
                 {{"names", body["names"]}, {"not_after", spec.not_after_unix}});
  }));
  return json{{"cert", *pem}, {"ca", ctx.ca->ca_cert_pem()}, {"serial", info.serial_hex},
              {"not_after", spec.not_after_unix}};
}

}  // namespace

void add_web_seed_cert_routes(Router& router, ApiContext& ctx) {
  add_routes(router, ctx, {{"POST", "/api/v1/webseed/certs", Access::admin(Role::admin), issue_web_seed_cert, 201}});
}

}  // namespace bc::tracker
