// Node certificates for SSL torrents and revocation (docs/security.md,
// docs/api.md "Certificates and revocation"):
//   POST /api/v1/cert                 node-signed: a certificate naming the
//                                     torrents the node is entitled to
//   GET  /api/v1/revoked              node-signed: live revoked serials
//   POST /api/v1/nodes/{id}/revoke    admin: revoke a node and its certificates
#include "layers/pki/pki.hpp"
#include "tracker/api/api_context.hpp"
#include "tracker/api/api_route.hpp"
#include "tracker/api/json_input.hpp"
#include "tracker/service/node_certs.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

json cert_json(const NodeCert& c, const ApiContext& ctx) {
  return {{"cert", c.pem}, {"ca", ctx.ca->ca_cert_pem()}, {"names", c.names}, {"serial", c.serial},
          {"not_after", c.not_after}};
}

void announce_revoked(ApiContext& ctx) {
  if (!ctx.on_revoked_changed) return;
  std::vector<std::string> serials;
  Status s = ctx.store.read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(serials, live_revoked_serials(t, ctx.clock.unix_s()));
    return Status();
  });
  if (s.ok()) ctx.on_revoked_changed(serials);
}

// Issues inside the write so two racing requests of one node cannot both
// decide to issue (Store writes are serialised).
Result<json> issue_cert(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  if (!ctx.ca) return Status::unavailable("this tracker has no certificate authority");
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits));
  BC_RETURN_IF_ERROR(check_fields(body, {"public_key"}));
  BC_ASSIGN_OR_RETURN(std::string public_pem, req_string(body, "public_key", ctx.limits));
  auto key_sha = pki::public_key_sha256(public_pem);
  if (!key_sha.ok()) return Status::invalid_argument("body: public_key: " + key_sha.status().message());
  const int64_t now = ctx.clock.unix_s();
  NodeCert out;
  bool revoked_some = false;
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(auto names, entitled_torrent_names(t, who.id, who.node_role));
    BC_ASSIGN_OR_RETURN(auto live, live_node_certs(t, who.id, now));
    IssuePlan plan = plan_issue(live, names, *key_sha, now);
    if (!plan.refused.ok()) return plan.refused;
    if (plan.reuse) {
      out = *plan.reuse;
      return Status();
    }
    pki::CertSpec spec;
    spec.common_name = who.id.substr(0, 64);
    spec.dns_names = names;
    spec.not_before_unix = now - ctx.limits.max_clock_skew_s;  // peers' clocks may lag
    spec.not_after_unix = now + ctx.pki.node_cert_lifetime_s;
    auto pem = ctx.ca->issue(public_pem, spec);
    if (!pem.ok()) return Status::invalid_argument("body: public_key: " + pem.status().message());
    BC_ASSIGN_OR_RETURN(pki::CertInfo info, pki::inspect(*pem));
    out = NodeCert{who.id, info.serial_hex, *key_sha, names, now, spec.not_after_unix, *pem};
    revoked_some = !plan.supersede.empty();
    return record_issued(t, out, plan.supersede, now);
  }, Store::Notify::no));
  if (revoked_some) announce_revoked(ctx);
  return cert_json(out, ctx);
}

Result<json> revoked(ApiContext& ctx, const Principal&, HttpRequest&) {
  std::vector<std::string> serials;
  BC_RETURN_IF_ERROR(ctx.store.read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(serials, live_revoked_serials(t, ctx.clock.unix_s()));
    return Status();
  }));
  return json{{"serials", serials}};
}

Result<json> revoke(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  const std::string& id = req.params.at("id");
  BC_RETURN_IF_ERROR(check_node_id(id));
  std::vector<std::string> serials;
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(auto e, t.get(Table::endpoints, id));
    BC_ASSIGN_OR_RETURN(auto r, t.get(Table::reflectors, id));
    if (!e && !r) return Status::not_found("node " + id + " is not enrolled");
    BC_ASSIGN_OR_RETURN(serials, revoke_node(t, id, who.actor(), ctx.clock.unix_s()));
    return audit(t, ctx, who, req, "node.revoke", id, {{"serials", serials}});
  }));
  announce_revoked(ctx);
  return json{{"revoked", id}, {"serials", serials}};
}

}  // namespace

void add_pki_routes(Router& router, ApiContext& ctx) {
  const Access enrolled = Access::node(true);
  add_routes(router, ctx, {
      {"POST", "/api/v1/cert", enrolled, issue_cert},
      {"GET", "/api/v1/revoked", enrolled, revoked},
      {"POST", "/api/v1/nodes/{id}/revoke", Access::admin(Role::admin), revoke},
  });
}

}  // namespace bc::tracker
