// Web seed tokens (tracker/webseed/web_seed_token.hpp): the MAC binds node,
// expiry and info-hash; the path parser finds the token wherever the server's
// prefix puts it; logs never see the MAC.
#include <doctest/doctest.h>

#include "tracker/webseed/web_seed_token.hpp"

using namespace bc::tracker;

namespace {
const std::string kNode(64, 'a'), kOther(64, 'b'), kHash(64, 'c'), kHash2(64, 'd');
WebSeedSecret secret(uint8_t fill) {
  WebSeedSecret s{};
  s.fill(fill);
  return s;
}
}  // namespace

TEST_CASE("a token's MAC holds only for its own node, expiry, info-hash and secret") {
  const WebSeedToken t = make_web_seed_token(secret(1), kNode, 1000, kHash);
  CHECK(t.mac_hex.size() == 64);
  CHECK(web_seed_mac_matches(secret(1), t));
  CHECK(!web_seed_mac_matches(secret(2), t));
  for (auto changed : {WebSeedToken{kOther, 1000, t.mac_hex, kHash}, WebSeedToken{kNode, 1001, t.mac_hex, kHash},
                       WebSeedToken{kNode, 1000, t.mac_hex, kHash2},
                       WebSeedToken{kNode, 1000, t.mac_hex.substr(1), kHash}})
    CHECK(!web_seed_mac_matches(secret(1), changed));
  WebSeedToken flipped = t;
  flipped.mac_hex[10] = flipped.mac_hex[10] == '0' ? '1' : '0';
  CHECK(!web_seed_mac_matches(secret(1), flipped));
  // The layout of the signed message is fixed ("v1|node|expiry|info_hash"): a
  // web server checking tokens itself computes the same value.
  CHECK(web_seed_mac(secret(1), kNode, 1000, kHash) == t.mac_hex);
}

TEST_CASE("a tokenized URL parses back wherever the server's prefix puts the token") {
  const WebSeedToken t = make_web_seed_token(secret(1), kNode, 1700000000, kHash);
  const std::string url = web_seed_token_url("https://cdn.example/a/b//", t);
  CHECK(url == "https://cdn.example/a/b/" + kNode + "/1700000000/" + t.mac_hex + "/" + kHash + "/");
  auto p = parse_web_seed_path("/a/b/" + kNode + "/1700000000/" + t.mac_hex + "/" + kHash + "/app-v1/bin/tool");
  REQUIRE(p.ok());
  CHECK(p->prefix == std::vector<std::string>{"a", "b"});
  CHECK(p->token.node_id == kNode);
  CHECK(p->token.expiry_unix_s == 1700000000);
  CHECK(p->token.mac_hex == t.mac_hex);
  CHECK(p->token.info_hash == kHash);
  CHECK(p->rest == std::vector<std::string>{"app-v1", "bin", "tool"});
  auto base = parse_web_seed_path("/ws/" + kNode + "/1/" + t.mac_hex + "/" + kHash + "/");
  REQUIRE(base.ok());
  CHECK(base->rest.empty());
}

TEST_CASE("paths without a well-formed token, or with empty segments after it, are refused") {
  const std::string mac(64, 'e');
  for (const std::string& bad :
       {std::string("/ws/app-v1/bin/tool"), "/ws/" + kNode + "/-5/" + mac + "/" + kHash + "/f",
        "/ws/" + kNode + "/12/" + mac + "/" + kHash.substr(1) + "/f",
        "/ws/" + kNode + "/12/" + std::string(64, 'E') + "/" + kHash + "/f",
        "/ws/" + kNode + "/1234567890123/" + mac + "/" + kHash + "/f",
        "/ws/" + kNode + "/12/" + mac + "/" + kHash + "//etc/passwd"}) {
    auto p = parse_web_seed_path(bad);
    CHECK_MESSAGE(!p.ok(), bad);
    if (!p.ok()) CHECK(p.status().message().find(mac) == std::string::npos);
  }
}

TEST_CASE("a logged web seed path has its MAC redacted and keeps the rest") {
  const WebSeedToken t = make_web_seed_token(secret(1), kNode, 99, kHash);
  const std::string path = "/ws/" + kNode + "/99/" + t.mac_hex + "/" + kHash + "/x-v1/f";
  const std::string logged = redact_web_seed_path(path);
  CHECK(logged.find(t.mac_hex) == std::string::npos);
  CHECK(logged == "/ws/" + kNode + "/99/<redacted>/" + kHash + "/x-v1/f");
}
