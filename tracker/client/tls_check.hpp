// Checks the tracker's certificate during a TLS handshake and, when the
// handshake fails, says why in words a node's admin can act on: a
// certificate not issued by the pinned CA (with the CA's fingerprint), one
// that does not name the host dialled, an expired one, or a server that does
// not speak TLS at all. One per connection attempt; not thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include <boost/asio/ssl/verify_context.hpp>
#include <boost/system/error_code.hpp>

#include "layers/util/status.hpp"

namespace bc::tracker {

class TlsCheck {
 public:
  // `host` is what the node dialled (name or IP), checked against the
  // certificate's DNS and IP names; `ca_file` the pinned CA (for messages).
  TlsCheck(std::string host, uint16_t port, std::string ca_file);

  // The verify callback's body: the chain as OpenSSL checked it against the
  // pinned CA, then the leaf's names against the host. Records the first
  // failure for explain().
  bool verify(bool preverified, boost::asio::ssl::verify_context& ctx);

  // A Status for a failed handshake: permission_denied when the certificate
  // was refused (naming why), unavailable for transport failures.
  Status explain(const boost::system::error_code& handshake_error) const;

  // "HOST:PORT" ("[v6]:PORT").
  std::string where() const;

 private:
  std::string host_;
  uint16_t port_;
  std::string ca_file_;
  int chain_error_ = 0;          // X509_V_ERR_* of the first chain failure; 0 = none
  std::string presented_pem_;    // the leaf the server presented (for its names)
  bool name_mismatch_ = false;
};

// The SHA-256 fingerprint (colon form) of the first certificate in a PEM
// file, or a note saying it cannot be read.
std::string pinned_fingerprint_of(const std::string& ca_file);

}  // namespace bc::tracker
