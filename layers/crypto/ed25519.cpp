#include "layers/crypto/ed25519.hpp"

#include <sodium.h>

#include <cstring>

#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"

namespace bc {

static void ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  (void)ok;
}

SecretKey SecretKey::generate() {
  ensure_sodium();
  SecretKey k;
  crypto_sign_keypair(k.pk_.data(), k.sk_.data());
  return k;
}

Result<SecretKey> SecretKey::from_hex(std::string_view hex) {
  ensure_sodium();
  auto bytes = bc::from_hex(hex);
  if (!bytes || bytes->size() != 64)
    return Status::invalid_argument("secret key must be 128 hex digits");
  SecretKey k;
  std::memcpy(k.sk_.data(), bytes->data(), 64);
  crypto_sign_ed25519_sk_to_pk(k.pk_.data(), k.sk_.data());
  sodium_memzero(bytes->data(), bytes->size());
  return k;
}

Result<SecretKey> SecretKey::load(const std::string& path) {
  BC_ASSIGN_OR_RETURN(std::string text, read_small_file(path, 4096));
  auto r = from_hex(trim(text));
  if (!r.ok()) return r.status().with_context(path);
  return r;
}

Signature SecretKey::sign(std::span<const uint8_t> message) const {
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk_.data());
  return sig;
}

std::string SecretKey::to_hex() const { return bc::to_hex(sk_); }

Status SecretKey::save(const std::string& path) const {
  BC_RETURN_IF_ERROR(write_file_atomic(path, to_hex() + "\n", 0600, /*overwrite=*/false));
  return write_file_atomic(path + ".pub", public_key_hex(pk_) + "\n", 0644, false);
}

Result<PublicKey> public_key_from_hex(std::string_view hex) {
  auto bytes = from_hex(hex);
  if (!bytes || bytes->size() != 32)
    return Status::invalid_argument("public key must be 64 hex digits");
  PublicKey pk;
  std::memcpy(pk.data(), bytes->data(), 32);
  return pk;
}

Result<PublicKey> load_public_key(const std::string& path) {
  BC_ASSIGN_OR_RETURN(std::string text, read_small_file(path, 4096));
  auto r = public_key_from_hex(trim(text));
  if (!r.ok()) return r.status().with_context(path);
  return r;
}

std::string public_key_hex(const PublicKey& pk) { return to_hex(pk); }

Result<Signature> signature_from_hex(std::string_view hex) {
  auto bytes = from_hex(hex);
  if (!bytes || bytes->size() != 64)
    return Status::invalid_argument("signature must be 128 hex digits");
  Signature s;
  std::memcpy(s.data(), bytes->data(), 64);
  return s;
}

std::string signature_hex(const Signature& sig) { return to_hex(sig); }

Status verify_signature(const PublicKey& pk, std::span<const uint8_t> message,
                        const Signature& sig) {
  ensure_sodium();
  if (crypto_sign_verify_detached(sig.data(), message.data(), message.size(), pk.data()) != 0)
    return Status::corruption("signature does not match the signed bytes and key " +
                              public_key_hex(pk).substr(0, 16) + "…");
  return Status();
}

}  // namespace bc
