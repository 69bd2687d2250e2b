#include <doctest/doctest.h>

#include "tracker/protocol/node_signature.hpp"
#include "tracker/auth/replay_cache.hpp"

using namespace bc;
using namespace bc::tracker;

namespace {
const int64_t kNow = 1'800'000'000;
const std::string kNonce = "00112233445566778899aabbccddeeff";
}  // namespace

TEST_CASE("a signed node request verifies and yields the node's public key") {
  auto key = SecretKey::generate();
  auto h = sign_request(key, "POST", "/api/v1/status?x=1", kNow, kNonce, "{\"a\":1}");
  auto pk = verify_request(h, "POST", "/api/v1/status?x=1", "{\"a\":1}", kNow + 10);
  REQUIRE(pk.ok());
  CHECK(*pk == key.public_key());
}

TEST_CASE("changing method, target, body, time or nonce breaks the node signature") {
  auto key = SecretKey::generate();
  auto h = sign_request(key, "POST", "/api/v1/status", kNow, kNonce, "body");
  CHECK_FALSE(verify_request(h, "PUT", "/api/v1/status", "body", kNow).ok());
  CHECK_FALSE(verify_request(h, "POST", "/api/v1/status?wait=1", "body", kNow).ok());
  CHECK_FALSE(verify_request(h, "POST", "/api/v1/status", "bodY", kNow).ok());
  auto t = h;
  t.time = std::to_string(kNow + 1);
  CHECK_FALSE(verify_request(t, "POST", "/api/v1/status", "body", kNow).ok());
  auto n = h;
  n.nonce = "ffffffffffffffffffffffffffffffff";
  CHECK_FALSE(verify_request(n, "POST", "/api/v1/status", "body", kNow).ok());
  auto other = h;
  other.node = public_key_hex(SecretKey::generate().public_key());
  auto r = verify_request(other, "POST", "/api/v1/status", "body", kNow);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("does not verify") != std::string::npos);
}

TEST_CASE("node signatures outside the skew window or with malformed headers are refused with the reason") {
  auto key = SecretKey::generate();
  auto h = sign_request(key, "GET", "/x", kNow, kNonce, "");
  CHECK(verify_request(h, "GET", "/x", "", kNow + 300).ok());
  auto late = verify_request(h, "GET", "/x", "", kNow + 301);
  REQUIRE_FALSE(late.ok());
  CHECK(late.status().message().find("301 s away") != std::string::npos);
  CHECK_FALSE(verify_request(h, "GET", "/x", "", kNow - 301).ok());
  auto missing = h;
  missing.sig.clear();
  CHECK(verify_request(missing, "GET", "/x", "", kNow).status().message().find("X-BC-Sig") != std::string::npos);
  auto bad_node = h;
  bad_node.node = "zz";
  CHECK(verify_request(bad_node, "GET", "/x", "", kNow).status().message().find("X-BC-Node") != std::string::npos);
  auto bad_time = h;
  bad_time.time = "12x";
  CHECK(verify_request(bad_time, "GET", "/x", "", kNow).status().message().find("X-BC-Time") != std::string::npos);
  auto short_nonce = sign_request(key, "GET", "/x", kNow, "abcd", "");
  CHECK(verify_request(short_nonce, "GET", "/x", "", kNow).status().message().find("X-BC-Nonce") != std::string::npos);
  CHECK(verify_request(h, "GET", "/x", "", kNow).status().code() == Status::Code::ok);
}

TEST_CASE("the replay cache refuses a repeated nonce within the window and forgets it after") {
  using O = ReplayCache::Outcome;
  ReplayCache cache(300, 1000);
  CHECK(cache.check_and_insert("node", "n1", kNow, 100) == O::fresh);
  CHECK(cache.check_and_insert("node", "n1", kNow + 100, 100) == O::replayed);
  CHECK(cache.seen("node", "n1", kNow + 100));
  CHECK(cache.check_and_insert("other", "n1", kNow + 100, 100) == O::fresh);
  CHECK_FALSE(cache.seen("node", "n1", kNow + 601));
  CHECK(cache.check_and_insert("node", "n1", kNow + 601, 100) == O::fresh);  // older than twice the skew: gone
}

TEST_CASE("the replay cache fails closed: a full share refuses new nonces and still refuses replays of the ones it holds") {
  using O = ReplayCache::Outcome;
  ReplayCache cache(300, 1000);
  for (int i = 0; i < 3; ++i) CHECK(cache.check_and_insert("n", std::to_string(i), kNow, 3) == O::fresh);
  CHECK(cache.check_and_insert("n", "fresh", kNow + 1, 3) == O::full);
  CHECK(cache.check_and_insert("n", "0", kNow + 1, 3) == O::replayed);  // not forgotten to make room
  CHECK(cache.size_of("n") == 3);
  CHECK(cache.refused_full() == 1);
  CHECK(cache.retry_after_s("n", kNow + 1) == 600);
  CHECK(cache.check_and_insert("n", "fresh", kNow + 601, 3) == O::fresh);  // the old ones aged out
}

TEST_CASE("the replay cache is bounded per node: one node's flood cannot evict another node's nonces") {
  using O = ReplayCache::Outcome;
  ReplayCache cache(300, 1000);
  CHECK(cache.check_and_insert("victim", "captured", kNow, 64) == O::fresh);
  int refused = 0;
  for (int i = 0; i < 5000; ++i)
    if (cache.check_and_insert("flooder", std::to_string(i), kNow + 1, 64) == O::full) ++refused;
  CHECK(refused == 5000 - 64);
  CHECK(cache.check_and_insert("victim", "captured", kNow + 2, 64) == O::replayed);
  // The total bound holds too: when the whole cache is full everyone is refused, nobody forgotten.
  ReplayCache tiny(300, 2);
  CHECK(tiny.check_and_insert("a", "1", kNow, 64) == O::fresh);
  CHECK(tiny.check_and_insert("b", "1", kNow, 64) == O::fresh);
  CHECK(tiny.check_and_insert("c", "1", kNow, 64) == O::full);
  CHECK(tiny.check_and_insert("a", "1", kNow, 64) == O::replayed);
}
