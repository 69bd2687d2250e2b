#include "tracker/auth/authenticator.hpp"

#include <sodium.h>

#include <algorithm>

#include "layers/crypto/sha256.hpp"
#include "layers/util/hex.hpp"
#include "tracker/protocol/node_signature.hpp"

namespace bc::tracker {

namespace {
AuthResult deny(int status, std::string msg) { return AuthResult{std::nullopt, status, std::move(msg)}; }
}  // namespace

Authenticator::Authenticator(Store& store, const Clock& clock, int64_t max_skew_s, ReplayLimits replay)
    : store_(store),
      clock_(clock),
      max_skew_s_(max_skew_s),
      replay_limits_(replay),
      replay_(max_skew_s, std::max<size_t>(replay.entries, 1)) {}

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
  if (rec["expires_at"].is_number_integer() && clock_.unix_s() >= rec["expires_at"].get<int64_t>())
    return deny(401, "admin token " + rec.value("id", "") + " expired at unix time " +
                         std::to_string(rec["expires_at"].get<int64_t>()) + "; ask an admin for a new one");
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
  // A long poll the server re-runs carries the same nonce on purpose.
  if (req.rerun == 0) {
    AuthResult refused = check_nonce(p, h.nonce);
    if (!refused.error.empty()) return refused;
  }
  if (enrolled && p.node_role.empty())
    return deny(403, "node " + id + " is not enrolled");
  return AuthResult{p, 0, ""};
}

// Every enrolled node has its own share of the nonce cache; keys not
// enrolled share one (only enrollment and registration accept them), so a
// flood of fresh keys cannot crowd out an enrolled node's nonces. A node
// that enrolled (or was removed) within the window changed partition, so
// the other one is checked too: its enrollment request cannot be replayed.
AuthResult Authenticator::check_nonce(const Principal& p, const std::string& nonce) {
  const bool unenrolled = p.node_role.empty();
  const std::string partition = unenrolled ? std::string() : p.id;
  const std::string shared_key = p.id + "/" + nonce;  // the shared partition holds many keys
  const size_t share = unenrolled ? replay_limits_.unenrolled : replay_limits_.per_node;
  int64_t now = clock_.unix_s();
  if (unenrolled ? replay_.seen(p.id, nonce, now) : replay_.seen("", shared_key, now))
    return deny(401, "replayed request: this X-BC-Nonce was already used");
  switch (replay_.check_and_insert(partition, unenrolled ? shared_key : nonce, now, share)) {
    case ReplayCache::Outcome::fresh: return AuthResult{};
    case ReplayCache::Outcome::replayed: return deny(401, "replayed request: this X-BC-Nonce was already used");
    case ReplayCache::Outcome::full: break;
  }
  if (replay_.size_of(partition) < share)
    return deny(503, "the tracker's replay cache holds its limit of " + std::to_string(replay_limits_.entries) +
                         " nonces; retry in a few seconds");
  return deny(429, (unenrolled ? std::string("not-yet-enrolled nodes have") : "node " + p.id + " has") +
                       " sent " + std::to_string(share) + " requests within the " +
                       std::to_string(2 * max_skew_s_) + " s replay window; retry in " +
                       std::to_string(replay_.retry_after_s(partition, now)) + " s");
}

AuthResult Authenticator::admin_or_node(const HttpRequest& req, Role need) {
  if (!req.header("x-bc-sig").empty()) return node(req, true);
  return admin(req, need);
}

}  // namespace bc::tracker
