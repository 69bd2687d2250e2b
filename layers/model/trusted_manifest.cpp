#include "layers/model/trusted_manifest.hpp"

namespace bc {

Result<TrustedManifest> TrustedManifest::verify(std::string bytes, const Signature& sig,
                                                const PublicKey& signer) {
  if (bytes.size() > kMaxManifestBytes)
    return Status::invalid_argument("manifest is larger than the limit");
  BC_RETURN_IF_ERROR(verify_signature(signer, {reinterpret_cast<const uint8_t*>(bytes.data()),
                                               bytes.size()},
                                      sig)
                         .with_context("manifest signature"));
  BC_ASSIGN_OR_RETURN(Manifest m, Manifest::decode(bytes));
  TrustedManifest t;
  t.manifest_ = std::move(m);
  t.bytes_ = std::move(bytes);
  t.sig_ = sig;
  t.signer_ = signer;
  return t;
}

}  // namespace bc
