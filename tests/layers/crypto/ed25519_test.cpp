#include <doctest/doctest.h>

#include <sys/stat.h>

#include "layers/crypto/ed25519.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;

static std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST_CASE("a signature verifies for its message and key and for nothing else") {
  SecretKey k = SecretKey::generate();
  std::string msg = "manifest bytes";
  Signature sig = k.sign(as_bytes(msg));
  CHECK(verify_signature(k.public_key(), as_bytes(msg), sig).ok());
  std::string changed = msg;
  changed[0] ^= 1;
  CHECK(verify_signature(k.public_key(), as_bytes(changed), sig).code() == Status::Code::corruption);
  Signature bad = sig;
  bad[10] ^= 0x40;
  CHECK_FALSE(verify_signature(k.public_key(), as_bytes(msg), bad).ok());
  SecretKey other = SecretKey::generate();
  CHECK_FALSE(verify_signature(other.public_key(), as_bytes(msg), sig).ok());
}

TEST_CASE("keys survive a save and load; the secret key file is 0600 and never overwritten") {
  test::TmpDir tmp;
  SecretKey k = SecretKey::generate();
  REQUIRE(k.save(tmp / "key").ok());
  struct stat st;
  REQUIRE(::stat((tmp / "key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto loaded = SecretKey::load(tmp / "key");
  REQUIRE(loaded.ok());
  CHECK(loaded->public_key() == k.public_key());
  auto pk = load_public_key(tmp / "key.pub");
  REQUIRE(pk.ok());
  CHECK(*pk == k.public_key());
  CHECK(k.save(tmp / "key").code() == Status::Code::already_exists);
  test::write_file(tmp / "garbage", "not hex\n", 0600);
  CHECK(SecretKey::load(tmp / "garbage").status().code() == Status::Code::invalid_argument);
}

TEST_CASE("a secret key file others can read or write is refused at load, naming the file and its mode") {
  test::TmpDir tmp;
  REQUIRE(SecretKey::generate().save(tmp / "key").ok());
  for (unsigned mode : {0640u, 0604u, 0620u, 0644u}) {
    CAPTURE(mode);
    REQUIRE(::chmod((tmp / "key").c_str(), mode) == 0);
    auto r = SecretKey::load(tmp / "key");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::permission_denied);
    CHECK(r.status().message().find("'" + (tmp / "key") + "' has mode 0") != std::string::npos);
  }
  REQUIRE(::chmod((tmp / "key").c_str(), 0400) == 0);
  CHECK(SecretKey::load(tmp / "key").ok());
}

TEST_CASE("public keys and signatures parse from exactly 64 and 128 hex digits and round-trip") {
  SecretKey k = SecretKey::generate();
  auto pk = public_key_from_hex(public_key_hex(k.public_key()));
  REQUIRE(pk.ok());
  CHECK(*pk == k.public_key());
  const std::string pk_hex = public_key_hex(k.public_key());
  auto short_pk = public_key_from_hex(pk_hex.substr(2));
  REQUIRE_FALSE(short_pk.ok());
  CHECK(short_pk.status().message() == "public key must be 64 hex digits");
  CHECK_FALSE(public_key_from_hex(std::string(64, 'g')).ok());
  Signature sig{};
  sig[0] = 0xab;
  auto back = signature_from_hex(signature_hex(sig));
  REQUIRE(back.ok());
  CHECK(*back == sig);
  auto long_sig = signature_from_hex(signature_hex(sig) + "00");
  REQUIRE_FALSE(long_sig.ok());
  CHECK(long_sig.status().message() == "signature must be 128 hex digits");
}
