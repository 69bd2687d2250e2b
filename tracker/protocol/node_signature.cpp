#include "tracker/protocol/node_signature.hpp"

#include <charconv>

#include "layers/crypto/sha256.hpp"
#include "layers/util/hex.hpp"

namespace bc::tracker {

namespace {
std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
bool is_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}
}  // namespace

std::string signing_message(std::string_view method, std::string_view target, int64_t unix_s,
                            std::string_view nonce, std::string_view body) {
  auto digest = sha256(bytes_of(body));
  std::string m = "BC1\n";
  m.append(method).append("\n").append(target).append("\n").append(std::to_string(unix_s));
  m.append("\n").append(nonce).append("\n").append(to_hex(digest));
  return m;
}

NodeSignatureHeaders sign_request(const SecretKey& key, std::string_view method,
                                  std::string_view target, int64_t unix_s, std::string nonce,
                                  std::string_view body) {
  std::string msg = signing_message(method, target, unix_s, nonce, body);
  NodeSignatureHeaders h;
  h.node = public_key_hex(key.public_key());
  h.time = std::to_string(unix_s);
  h.nonce = std::move(nonce);
  h.sig = signature_hex(key.sign(bytes_of(msg)));
  return h;
}

Result<PublicKey> verify_request(const NodeSignatureHeaders& h, std::string_view method,
                                 std::string_view target, std::string_view body, int64_t now_unix_s,
                                 int64_t max_skew_s) {
  if (h.node.empty() || h.time.empty() || h.nonce.empty() || h.sig.empty())
    return Status::permission_denied(
        "node request needs X-BC-Node, X-BC-Time, X-BC-Nonce and X-BC-Sig headers");
  auto pk = public_key_from_hex(h.node);
  if (!pk.ok()) return Status::permission_denied("X-BC-Node is not a 64-hex-digit public key");
  int64_t t = 0;
  auto [p, ec] = std::from_chars(h.time.data(), h.time.data() + h.time.size(), t);
  if (ec != std::errc() || p != h.time.data() + h.time.size())
    return Status::permission_denied("X-BC-Time is not a Unix time in seconds");
  int64_t skew = t > now_unix_s ? t - now_unix_s : now_unix_s - t;
  if (skew > max_skew_s)
    return Status::permission_denied("X-BC-Time is " + std::to_string(skew) +
                                     " s away from the tracker's clock (limit " +
                                     std::to_string(max_skew_s) + " s)");
  if (h.nonce.size() < 16 || h.nonce.size() > 64 || !is_hex(h.nonce))
    return Status::permission_denied("X-BC-Nonce must be 16..64 hex digits");
  auto sig = signature_from_hex(h.sig);
  if (!sig.ok()) return Status::permission_denied("X-BC-Sig is not a 128-hex-digit signature");
  std::string msg = signing_message(method, target, t, h.nonce, body);
  if (!verify_signature(*pk, bytes_of(msg), *sig).ok())
    return Status::permission_denied("X-BC-Sig does not verify for this node and request");
  return *pk;
}

}  // namespace bc::tracker
