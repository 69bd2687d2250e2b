// Who is asking: an admin token (Authorization: Bearer <token>, looked up by
// its SHA-256 in the admin_tokens table) or a node (a signed request, see
// node_signature.hpp, looked up in endpoints/reflectors). Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "layers/crypto/ed25519.hpp"
#include "layers/util/clock.hpp"
#include "tracker/auth/replay_cache.hpp"
#include "tracker/auth/roles.hpp"
#include "tracker/http/message.hpp"
#include "tracker/store/store.hpp"

namespace bc::tracker {

struct Principal {
  enum class Kind { admin, node } kind = Kind::admin;
  std::string id;          // admin: token id; node: public key hex
  Role role = Role::viewer;  // admin only
  std::string node_role;   // node only: "endpoint", "reflector" or "" (not enrolled)
  std::string actor() const { return (kind == Kind::admin ? "token:" : "node:") + id; }
};

// An authentication outcome: a principal, or the HTTP status (401/403) and
// message to answer with.
struct AuthResult {
  std::optional<Principal> who;
  int http_status = 0;
  std::string error;
  bool ok() const { return who.has_value(); }
  HttpResponse response() const { return HttpResponse::error(http_status, error); }
};

// Bounds of the nonce cache (replay_cache.hpp): nonces remembered in all,
// per enrolled node, and shared by every key not enrolled yet (enrollment
// and registration requests).
struct ReplayLimits {
  size_t entries = 200'000;     // default 200k
  size_t per_node = 1024;       // default 1024: ~1.7 requests/s for 2 * 300 s
  size_t unenrolled = 16'384;   // default 16k
};

class Authenticator {
 public:
  Authenticator(Store& store, const Clock& clock, int64_t max_skew_s, ReplayLimits replay = {});

  // Requires an admin token whose role allows `need`.
  AuthResult admin(const HttpRequest& req, Role need) const;
  // Requires a signed node request; `enrolled` additionally requires the node
  // to be a known endpoint or reflector. 401 for a bad signature or a
  // replayed nonce; 429 when the node's share of the nonce cache is full
  // (503 when the whole cache is): the request is refused, not remembered
  // by forgetting an older nonce. A revoked node (revoked_nodes) is refused
  // with 403 "node X is revoked" either way.
  AuthResult node(const HttpRequest& req, bool enrolled);
  // Either: an admin token with `need`, or a signed request from an enrolled node.
  AuthResult admin_or_node(const HttpRequest& req, Role need);

  static std::string hash_token(const std::string& token);  // sha256 hex
  static std::string new_token();                            // "bct_" + 64 hex, random

 private:
  // An empty AuthResult (no error) when the nonce is fresh; the refusal otherwise.
  AuthResult check_nonce(const Principal& p, const std::string& nonce);

  Store& store_;
  const Clock& clock_;
  int64_t max_skew_s_;
  ReplayLimits replay_limits_;
  ReplayCache replay_;
};

}  // namespace bc::tracker
