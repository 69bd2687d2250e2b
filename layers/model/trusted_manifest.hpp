// The only way to a manifest that code may act on: a signature check by a key
// the caller trusts, then decoding. Apply, download and seeding take a
// TrustedManifest, so an unverified manifest cannot reach them by any path.
#pragma once

#include <string>

#include "layers/crypto/ed25519.hpp"
#include "layers/model/manifest.hpp"

namespace bc {

class TrustedManifest {
 public:
  // Verifies `sig` over exactly `bytes` with `signer`, then decodes and
  // validates. corruption when the signature fails; decode errors otherwise.
  static Result<TrustedManifest> verify(std::string bytes, const Signature& sig,
                                        const PublicKey& signer);

  const Manifest& manifest() const { return manifest_; }
  const std::string& bytes() const { return bytes_; }
  const Signature& signature() const { return sig_; }
  const PublicKey& signer() const { return signer_; }

 private:
  TrustedManifest() = default;
  Manifest manifest_;
  std::string bytes_;
  Signature sig_{};
  PublicKey signer_{};
};

}  // namespace bc
