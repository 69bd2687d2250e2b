// Node request signatures. Every request from an endpoint or reflector
// carries:
//   X-BC-Node:  the node's Ed25519 public key, 64 hex digits (its identity)
//   X-BC-Time:  Unix time in seconds when the request was signed
//   X-BC-Nonce: 16..64 hex digits, fresh per request (replay protection)
//   X-BC-Sig:   Ed25519 signature (128 hex) over signing_message(...)
// The signed message binds method, target (path and query), time, nonce and
// the SHA-256 of the body:
//   "BC1\n" METHOD "\n" TARGET "\n" TIME "\n" NONCE "\n" hex(sha256(body))
// Pure: the caller supplies the current time. Lives in tracker/protocol
// (bc_tracker_protocol), what the tracker and its clients share, so the
// client signs without linking the server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "layers/crypto/ed25519.hpp"

namespace bc::tracker {

inline constexpr int64_t kDefaultMaxSkewS = 300;

struct NodeSignatureHeaders {
  std::string node;   // X-BC-Node
  std::string time;   // X-BC-Time
  std::string nonce;  // X-BC-Nonce
  std::string sig;    // X-BC-Sig
};

std::string signing_message(std::string_view method, std::string_view target, int64_t unix_s,
                            std::string_view nonce, std::string_view body);

// Signs a request: fills all four headers. `nonce` must be fresh (hex).
NodeSignatureHeaders sign_request(const SecretKey& key, std::string_view method,
                                  std::string_view target, int64_t unix_s, std::string nonce,
                                  std::string_view body);

// Checks shape, skew (|now - time| <= max_skew_s) and signature. Returns the
// node's public key. permission_denied naming what is wrong.
Result<PublicKey> verify_request(const NodeSignatureHeaders& h, std::string_view method,
                                 std::string_view target, std::string_view body, int64_t now_unix_s,
                                 int64_t max_skew_s = kDefaultMaxSkewS);

}  // namespace bc::tracker
