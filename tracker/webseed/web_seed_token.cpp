#include "tracker/webseed/web_seed_token.hpp"

#include <sodium.h>

#include "layers/util/hex.hpp"

namespace bc::tracker {

namespace {

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  if (!path.empty() && path[0] == '/') i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool is_expiry(std::string_view s) {
  if (s.empty() || s.size() > 12) return false;  // up to year ~33658: plenty, and no overflow
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

bool is_lower_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string web_seed_mac(const WebSeedSecret& secret, const std::string& node_id, int64_t expiry_unix_s,
                         const std::string& info_hash) {
  const std::string msg = "v1|" + node_id + "|" + std::to_string(expiry_unix_s) + "|" + info_hash;
  std::array<uint8_t, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, secret.data(), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  crypto_auth_hmacsha256_final(&st, mac.data());
  sodium_memzero(&st, sizeof st);
  return to_hex(mac);
}

WebSeedToken make_web_seed_token(const WebSeedSecret& secret, const std::string& node_id, int64_t expiry_unix_s,
                                 const std::string& info_hash) {
  return WebSeedToken{node_id, expiry_unix_s, web_seed_mac(secret, node_id, expiry_unix_s, info_hash), info_hash};
}

bool web_seed_mac_matches(const WebSeedSecret& secret, const WebSeedToken& token) {
  const std::string want = web_seed_mac(secret, token.node_id, token.expiry_unix_s, token.info_hash);
  if (token.mac_hex.size() != want.size()) return false;  // the length is public
  return sodium_memcmp(want.data(), token.mac_hex.data(), want.size()) == 0;
}

std::string web_seed_token_url(std::string base, const WebSeedToken& token) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + token.node_id + "/" + std::to_string(token.expiry_unix_s) + "/" + token.mac_hex + "/" +
         token.info_hash + "/";
}

Result<WebSeedPath> parse_web_seed_path(std::string_view path) {
  std::vector<std::string> segs = split(path);
  for (size_t i = 0; i + 3 < segs.size(); ++i) {
    if (!is_lower_hex64(segs[i]) || !is_expiry(segs[i + 1]) || !is_lower_hex64(segs[i + 2]) ||
        !is_lower_hex64(segs[i + 3]))
      continue;
    WebSeedPath p;
    p.prefix.assign(segs.begin(), segs.begin() + long(i));
    p.token = WebSeedToken{segs[i], std::stoll(segs[i + 1]), segs[i + 2], segs[i + 3]};
    p.rest.assign(segs.begin() + long(i) + 4, segs.end());
    if (!p.rest.empty() && p.rest.back().empty()) p.rest.pop_back();  // the base URL's trailing slash
    for (const auto& s : p.rest)
      if (s.empty()) return Status::invalid_argument("web seed path: empty segment after the token");
    return p;
  }
  return Status::invalid_argument(
      "web seed path: no token (expected .../<node id>/<expiry>/<mac>/<info-hash>/<file path>)");
}

std::string redact_web_seed_path(std::string_view path) {
  auto p = parse_web_seed_path(path);
  if (!p.ok()) return std::string(path.substr(0, 256));
  std::string out;
  for (const auto& s : p->prefix) out += "/" + s;
  out += "/" + p->token.node_id + "/" + std::to_string(p->token.expiry_unix_s) + "/<redacted>/" + p->token.info_hash;
  for (const auto& s : p->rest) out += "/" + s;
  return out.substr(0, 512);
}

}  // namespace bc::tracker
