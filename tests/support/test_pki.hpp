// A certificate authority for tests of SSL torrents: a CA like the
// tracker's (layers/pki), node certificates naming torrents, and a test layer
// made SSL the way the tracker's import does it (the CA added to the torrent,
// the manifest's info_hash following it, the manifest signed again).
#pragma once

#include <doctest/doctest.h>

#include <ctime>
#include <string>
#include <vector>

#include "layers/pki/pki.hpp"
#include "layers/torrent/ssl_torrent.hpp"
#include "tests/support/layer_fixture.hpp"

namespace bc::test {

struct TestCert {
  std::string cert_pem;
  std::string key_pem;
  std::string serial_hex;
  int64_t not_after_unix = 0;
};

class TestCa {
 public:
  explicit TestCa(const std::string& name = "test CA") {
    auto k = pki::generate_key();
    REQUIRE(k.ok());
    key_ = *k;
    const int64_t now = std::time(nullptr);
    auto c = pki::self_signed_ca(key_.private_pem, {name, {}, {}, now - 3600, now + 86400, true});
    REQUIRE_MESSAGE(c.ok(), c.status().to_string());
    cert_ = *c;
  }
  const std::string& cert_pem() const { return cert_; }

  // A node certificate with `dns_names`, valid from an hour ago for
  // `lifetime_s` from now (a negative lifetime makes an expired one).
  TestCert issue(const std::vector<std::string>& dns_names, int64_t lifetime_s = 3600,
                 const std::string& cn = "test-node") const {
    auto k = pki::generate_key();
    REQUIRE(k.ok());
    const int64_t now = std::time(nullptr);
    auto c = pki::issue(cert_, key_.private_pem, k->public_pem, {cn, dns_names, {}, now - 3600, now + lifetime_s, false});
    REQUIRE_MESSAGE(c.ok(), c.status().to_string());
    auto info = pki::inspect(*c);
    REQUIRE(info.ok());
    return {*c, k->private_pem, info->serial_hex, info->not_after_unix};
  }

 private:
  pki::KeyPair key_;
  std::string cert_;
};

// `plain` with its torrent made an SSL torrent of `ca_pem`, its manifest's
// info_hash set to the new torrent's and signed again by `key`.
inline TestLayer make_ssl_layer(const TestLayer& plain, const std::string& ca_pem,
                                const SecretKey& key = SecretKey::generate()) {
  auto torrent = make_ssl_torrent(plain.torrent, ca_pem);
  REQUIRE_MESSAGE(torrent.ok(), torrent.status().to_string());
  auto facts = read_layer_torrent(*torrent);
  REQUIRE(facts.ok());
  Manifest m = plain.manifest();
  m.info_hash = facts->info_hash;
  const std::string bytes = m.encode();
  Signature sig = key.sign({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  auto trusted = TrustedManifest::verify(bytes, sig, key.public_key());
  REQUIRE(trusted.ok());
  return TestLayer{plain.source_dir, std::move(*trusted), *torrent, std::move(*facts), key.public_key()};
}

}  // namespace bc::test
