#include "layers/crypto/ed25519.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>

#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"
#include "layers/util/private_dir.hpp"

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
  // A secret key others can read may already be copied: refuse it rather
  // than sign with it (the operator decides whether to rotate).
  BC_RETURN_IF_ERROR(check_secret_file(path, "secret key file"));
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

namespace {

// Exactly N bytes as 2N hex digits; else "<what> must be <2N> hex digits".
template <size_t N>
Result<std::array<uint8_t, N>> fixed_from_hex(std::string_view hex, const char* what) {
  auto bytes = from_hex(hex);
  if (!bytes || bytes->size() != N)
    return Status::invalid_argument(std::string(what) + " must be " + std::to_string(2 * N) + " hex digits");
  std::array<uint8_t, N> out;
  std::memcpy(out.data(), bytes->data(), N);
  return out;
}

}  // namespace

Result<PublicKey> public_key_from_hex(std::string_view hex) { return fixed_from_hex<32>(hex, "public key"); }

Result<PublicKey> load_public_key(const std::string& path) {
  BC_ASSIGN_OR_RETURN(std::string text, read_small_file(path, 4096));
  auto r = public_key_from_hex(trim(text));
  if (!r.ok()) return r.status().with_context(path);
  return r;
}

std::string public_key_hex(const PublicKey& pk) { return to_hex(pk); }

Result<Signature> signature_from_hex(std::string_view hex) { return fixed_from_hex<64>(hex, "signature"); }

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
