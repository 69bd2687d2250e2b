// The X.509 toolkit behind the tracker's certificate authority (docs/security.md):
// EC P-256 keys, a self-signed CA, leaf certificates for the tracker's HTTPS
// side and for nodes (SSL torrents), and reading a certificate back. Pure
// OpenSSL (libcrypto), no I/O besides what the caller does with the PEM text.
// Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::pki {

struct KeyPair {
  std::string private_pem;  // PKCS#8 PEM; a secret: save 0600, never log
  std::string public_pem;   // SubjectPublicKeyInfo PEM
};

// A fresh EC P-256 key pair.
Result<KeyPair> generate_key();
// The public half of a private key PEM.
Result<std::string> public_key_of(const std::string& private_pem);
// SHA-256 (lower-case hex) of the DER SubjectPublicKeyInfo of a public key
// PEM (equal to CertInfo::spki_sha256 of a certificate for it).
// invalid_argument when the text is not a PEM public key.
Result<std::string> public_key_sha256(const std::string& public_pem);

struct CertSpec {
  std::string common_name;                 // required
  std::vector<std::string> dns_names;      // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;   // subjectAltName IP entries (v4 or v6 text)
  int64_t not_before_unix = 0;
  int64_t not_after_unix = 0;              // > not_before_unix
  bool is_ca = false;                      // a CA (keyCertSign) rather than a TLS leaf
};

// A self-signed CA certificate over `ca_private_pem`.
Result<std::string> self_signed_ca(const std::string& ca_private_pem, const CertSpec& spec);
// A leaf certificate for `subject_public_pem`, signed by the CA, for TLS
// server and client use. The serial is 128 random bits.
Result<std::string> issue(const std::string& ca_cert_pem, const std::string& ca_private_pem,
                          const std::string& subject_public_pem, const CertSpec& spec);

struct CertInfo {
  std::string serial_hex;                 // lower-case hex of whole bytes ("0ac9…": compare as numbers)
  std::string common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  int64_t not_before_unix = 0;
  int64_t not_after_unix = 0;
  bool is_ca = false;
  std::string fingerprint_sha256;         // SHA-256 of the DER certificate, lower-case hex
  std::string spki_sha256;                // SHA-256 of the DER public key (stable across reissue)
  std::string public_pem;                 // the certified public key
};

// Reads the first certificate of a PEM text. invalid_argument when it holds none.
Result<CertInfo> inspect(const std::string& cert_pem);

// OK when `cert_pem` was signed by `ca_cert_pem` and is valid at `now_unix`;
// permission_denied naming what failed otherwise (wrong issuer, expired,
// not yet valid).
Status verify_issued_by(const std::string& cert_pem, const std::string& ca_cert_pem, int64_t now_unix);

// "ab:cd:..." upper-case colon form of a hex fingerprint, as `openssl x509
// -fingerprint -sha256` prints it, for people comparing by eye.
std::string colon_fingerprint(const std::string& hex);

}  // namespace bc::pki
