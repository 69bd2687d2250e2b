#include <doctest/doctest.h>

#include <algorithm>

#include "layers/pki/pki.hpp"

using namespace bc;

namespace {
constexpr int64_t kNow = 1'800'000'000;

struct Ca {
  pki::KeyPair key = *pki::generate_key();
  std::string cert;
  Ca() {
    pki::CertSpec s;
    s.common_name = "branchcast test CA";
    s.not_before_unix = kNow - 60;
    s.not_after_unix = kNow + 86400;
    s.is_ca = true;
    cert = *pki::self_signed_ca(key.private_pem, s);
  }
  Result<std::string> leaf(const std::string& pub, int64_t lifetime_s, std::vector<std::string> dns = {}) const {
    pki::CertSpec s;
    s.common_name = "node";
    s.dns_names = std::move(dns);
    s.ip_addresses = {"127.0.0.1", "::1"};
    s.not_before_unix = kNow - 60;
    s.not_after_unix = kNow + lifetime_s;
    return pki::issue(cert, key.private_pem, pub, s);
  }
};
}  // namespace

TEST_CASE("a leaf issued by the CA carries its names, times and key, and verifies against that CA only") {
  Ca ca;
  auto node = *pki::generate_key();
  auto pem = ca.leaf(node.public_pem, 3600, {"base-v1", "apps-v2"});
  REQUIRE(pem.ok());
  auto info = pki::inspect(*pem);
  REQUIRE(info.ok());
  CHECK(info->common_name == "node");
  CHECK(info->dns_names == std::vector<std::string>{"base-v1", "apps-v2"});
  CHECK(info->ip_addresses == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(info->not_after_unix == kNow + 3600);
  CHECK_FALSE(info->is_ca);
  CHECK(info->public_pem == node.public_pem);
  CHECK(info->serial_hex.size() >= 16);
  CHECK(info->fingerprint_sha256.size() == 64);

  CHECK(pki::verify_issued_by(*pem, ca.cert, kNow).ok());
  Ca other;
  auto wrong = pki::verify_issued_by(*pem, other.cert, kNow);
  CHECK(wrong.code() == Status::Code::permission_denied);
  auto expired = pki::verify_issued_by(*pem, ca.cert, kNow + 3601);
  CHECK(expired.code() == Status::Code::permission_denied);
  CHECK(expired.message().find("expired") != std::string::npos);
}

TEST_CASE("two certificates for one key differ in serial and fingerprint but share the key's digest") {
  Ca ca;
  auto node = *pki::generate_key();
  auto a = *pki::inspect(*ca.leaf(node.public_pem, 60));
  auto b = *pki::inspect(*ca.leaf(node.public_pem, 60));
  CHECK(a.serial_hex != b.serial_hex);
  CHECK(a.fingerprint_sha256 != b.fingerprint_sha256);
  CHECK(a.spki_sha256 == b.spki_sha256);
  auto ca_info = *pki::inspect(ca.cert);
  CHECK(ca_info.is_ca);
  CHECK(ca_info.spki_sha256 != a.spki_sha256);
}

TEST_CASE("bad input gets a precise error") {
  Ca ca;
  auto node = *pki::generate_key();
  CHECK(pki::inspect("not a certificate").status().code() == Status::Code::invalid_argument);
  CHECK(ca.leaf("not a key", 60).status().code() == Status::Code::invalid_argument);
  CHECK(ca.leaf(node.public_pem, -120).status().code() == Status::Code::invalid_argument);
  pki::CertSpec s;
  s.common_name = "x";
  s.not_before_unix = kNow;
  s.not_after_unix = kNow + 1;
  s.ip_addresses = {"not-an-ip"};
  CHECK(pki::issue(ca.cert, ca.key.private_pem, node.public_pem, s).status().code() ==
        Status::Code::invalid_argument);
  s.ip_addresses.clear();
  auto other = *pki::generate_key();
  auto mismatch = pki::issue(ca.cert, other.private_pem, node.public_pem, s);
  CHECK(mismatch.status().message().find("does not match") != std::string::npos);
  CHECK(pki::public_key_of(node.private_pem).value() == node.public_pem);
  CHECK(pki::colon_fingerprint("ab01") == "AB:01");
}
