#include "tracker/auth/authenticator.hpp"

#include <sodium.h>

#include "layers/crypto/sha256.hpp"
#include "layers/util/hex.hpp"
#include "tracker/protocol/node_signature.hpp"

namespace bc::tracker {

namespace {
AuthResult deny(int status, std::string msg) { return AuthResult{std::nullopt, status, std::move(msg)}; }
}  // namespace

Authenticator::Authenticator(Store& store, const Clock& clock, int64_t max_skew_s,
                             size_t replay_entries)
    : store_(store), clock_(clock), max_skew_s_(max_skew_s), replay_(max_skew_s, replay_entries) {}

std::string Authenticator::hash_token(const std::string& token) {
  auto d = sha256({reinterpret_cast<const uint8_t*>(token.data()), token.size()});
  return to_hex(d);
}

std::string Authenticator::new_token() {
  uint8_t b[32];
  randombytes_buf(b, sizeof b);
  return "bct_" + to_hex(b);
}

AuthResult Authenticator::admin(const HttpRequest& req, Role need) const {
  const std::string& h = req.header("authorization");
  if (h.empty()) return deny(401, "authentication required: send Authorization: Bearer <token>");
  if (h.rfind("Bearer ", 0) != 0 || h.size() > 512)
    return deny(401, "Authorization header must be 'Bearer <token>'");
  std::string key = hash_token(h.substr(7));
  nlohmann::json rec;
  Status s = store_.read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(rec, get_json(t, Table::admin_tokens, key));
    return Status();
  });
  if (!s.ok()) return deny(500, s.message());
  if (rec.is_null() || !rec.is_object()) return deny(401, "unknown or revoked admin token");
  auto role = parse_role(rec.value("role", ""));
  if (!role) return deny(500, "admin token record has no valid role");
  Principal p{Principal::Kind::admin, rec.value("id", ""), *role, ""};
  if (!role_allows(*role, need))
    return deny(403, std::string("this needs role ") + to_string(need) + "; token " + p.id +
                         " has role " + to_string(*role));
  return AuthResult{p, 0, ""};
}

AuthResult Authenticator::node(const HttpRequest& req, bool enrolled) {
  NodeSignatureHeaders h{req.header("x-bc-node"), req.header("x-bc-time"),
                         req.header("x-bc-nonce"), req.header("x-bc-sig")};
  auto pk = verify_request(h, req.method, req.target, req.body, clock_.unix_s(), max_skew_s_);
  if (!pk.ok()) return deny(401, pk.status().message());
  std::string id = public_key_hex(*pk);
  // A long poll the server re-runs carries the same nonce on purpose.
  if (req.rerun == 0 && !replay_.check_and_insert(id, h.nonce, clock_.unix_s()))
    return deny(401, "replayed request: this X-BC-Nonce was already used");
  Principal p{Principal::Kind::node, id, Role::viewer, ""};
  bool revoked = false;
  Status s = store_.read([&](const Txn& t) -> Status {
    // A revoked node is refused everywhere, enrolling again included.
    BC_ASSIGN_OR_RETURN(auto rv, t.get(Table::revoked_nodes, id));
    revoked = rv.has_value();
    BC_ASSIGN_OR_RETURN(auto e, t.get(Table::endpoints, id));
    if (e) {
      p.node_role = "endpoint";
      return Status();
    }
    BC_ASSIGN_OR_RETURN(auto r, t.get(Table::reflectors, id));
    if (r) p.node_role = "reflector";
    return Status();
  });
  if (!s.ok()) return deny(500, s.message());
  if (revoked) return deny(403, "node " + id + " is revoked");
  if (enrolled && p.node_role.empty())
    return deny(403, "node " + id + " is not enrolled");
  return AuthResult{p, 0, ""};
}

AuthResult Authenticator::admin_or_node(const HttpRequest& req, Role need) {
  if (!req.header("x-bc-sig").empty()) return node(req, true);
  return admin(req, need);
}

}  // namespace bc::tracker
