// Signed, expiring web seed tokens (docs/security.md, "Web seeds"). A token
// lets one node fetch one layer's files from a BEP 19 web seed until it
// expires:
//   mac = HMAC-SHA256(secret, "v1|" + node_id + "|" + expiry + "|" + info_hash)
// It travels in the URL path, because libtorrent appends the file path to a
// web seed's base URL (a query string would end up before the file path):
//   <base>/<node_id>/<expiry>/<mac>/<info_hash>/      (what nodes are handed)
//   ... + "<torrent name>/<path>" or "<file>"         (what libtorrent adds)
// The info-hash is in the path as well so that a plain web server maps a
// request to DATA/origin/<info_hash>/<path> without asking anyone.
// Pure code: no clock, no store, no files.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::tracker {

inline constexpr size_t kWebSeedSecretBytes = 32;
using WebSeedSecret = std::array<uint8_t, kWebSeedSecretBytes>;

// The four segments a token adds to a base URL's path.
struct WebSeedToken {
  std::string node_id;    // the node's public key, 64 hex digits
  int64_t expiry_unix_s = 0;
  std::string mac_hex;    // 64 hex digits
  std::string info_hash;  // the layer's v2 info-hash, 64 hex digits
};

// The MAC of (node, expiry, info_hash), lower-case hex.
std::string web_seed_mac(const WebSeedSecret& secret, const std::string& node_id, int64_t expiry_unix_s,
                         const std::string& info_hash);

// A token for (node, expiry, info_hash), signed with `secret`.
WebSeedToken make_web_seed_token(const WebSeedSecret& secret, const std::string& node_id, int64_t expiry_unix_s,
                                 const std::string& info_hash);

// True when the token's MAC is the one `secret` gives its fields. Compares in
// constant time (sodium_memcmp), so timing tells nothing about the right MAC.
bool web_seed_mac_matches(const WebSeedSecret& secret, const WebSeedToken& token);

// "<base>/<node>/<expiry>/<mac>/<info_hash>/", trailing slashes of base
// dropped: the URL a node hands libtorrent for that layer.
std::string web_seed_token_url(std::string base, const WebSeedToken& token);

// A request path cut at the token: the segments before it (the server's
// prefix, e.g. "ws" or a CDN's "origin"), the token and the segments after
// it (what libtorrent appended), each percent-decoded as given.
struct WebSeedPath {
  std::vector<std::string> prefix;
  WebSeedToken token;
  std::vector<std::string> rest;
};

// Finds the first four consecutive segments of `path` shaped like a token
// (64 hex, decimal expiry, 64 hex, 64 hex). invalid_argument when there is
// none or a segment is empty; the message never quotes the MAC.
Result<WebSeedPath> parse_web_seed_path(std::string_view path);

// `path` with the token's MAC replaced by "<redacted>" (for logs): a MAC
// within its validity is a bearer credential.
std::string redact_web_seed_path(std::string_view path);

bool is_lower_hex64(std::string_view s);

}  // namespace bc::tracker
