// Ed25519 keys and detached signatures (libsodium). Keys are stored as hex
// text: the secret key file (mode 0600) holds the 64-byte libsodium secret key,
// the public key file the 32-byte public key.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "layers/util/status.hpp"

namespace bc {

using PublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

class SecretKey {
 public:
  // A fresh random key pair.
  static SecretKey generate();
  // Parses the hex text form; invalid_argument on anything else.
  static Result<SecretKey> from_hex(std::string_view hex);
  // Reads a key written by save(). permission_denied when the file is
  // readable or writable by group or others (a secret key must be 0600 or
  // stricter); invalid_argument when it is not 64 bytes of hex.
  static Result<SecretKey> load(const std::string& path);

  const PublicKey& public_key() const { return pk_; }
  Signature sign(std::span<const uint8_t> message) const;
  std::string to_hex() const;
  // Writes the secret key with mode 0600 (refuses to overwrite) and
  // `path + ".pub"` with the public key.
  Status save(const std::string& path) const;

 private:
  std::array<uint8_t, 64> sk_{};
  PublicKey pk_{};
};

Result<PublicKey> public_key_from_hex(std::string_view hex);
Result<PublicKey> load_public_key(const std::string& path);
std::string public_key_hex(const PublicKey& pk);

Result<Signature> signature_from_hex(std::string_view hex);
std::string signature_hex(const Signature& sig);

// OK when `sig` is a valid signature of `message` by `pk`; corruption otherwise.
Status verify_signature(const PublicKey& pk, std::span<const uint8_t> message,
                        const Signature& sig);

}  // namespace bc
