#include "layers/pki/pki.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <cctype>
#include <ctime>
#include <memory>

#include "layers/util/hex.hpp"

namespace bc::pki {

namespace {

template <auto Fn>
struct Free {
  template <typename T>
  void operator()(T* p) const { Fn(p); }
};
using Bio = std::unique_ptr<BIO, Free<BIO_free_all>>;
using Pkey = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Free<X509_free>>;
using Bn = std::unique_ptr<BIGNUM, Free<BN_free>>;
using Names = std::unique_ptr<GENERAL_NAMES, Free<GENERAL_NAMES_free>>;
using Store = std::unique_ptr<X509_STORE, Free<X509_STORE_free>>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, Free<X509_STORE_CTX_free>>;
using Ext = std::unique_ptr<X509_EXTENSION, Free<X509_EXTENSION_free>>;

// The oldest queued OpenSSL error as text (and the queue cleared).
std::string ssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Bio read_bio(const std::string& pem) { return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))); }

std::string bio_text(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

Result<Pkey> load_private(const std::string& pem) {
  Bio b = read_bio(pem);
  Pkey k(PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr));
  if (!k) return Status::invalid_argument("not a PEM private key: " + ssl_error());
  return k;
}

Result<Pkey> load_public(const std::string& pem) {
  Bio b = read_bio(pem);
  Pkey k(PEM_read_bio_PUBKEY(b.get(), nullptr, nullptr, nullptr));
  if (!k) return Status::invalid_argument("not a PEM public key: " + ssl_error());
  return k;
}

std::string spki_sha256_of(EVP_PKEY* pub) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pub, &der);
  if (len <= 0) return "";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(der, static_cast<size_t>(len), md, &n, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  return to_hex({md, n});
}

Result<X509Ptr> load_cert(const std::string& pem) {
  Bio b = read_bio(pem);
  X509Ptr x(PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr));
  if (!x) return Status::invalid_argument("not a PEM certificate: " + ssl_error());
  return x;
}

Result<std::string> public_pem_of(EVP_PKEY* k) {
  Bio out(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PUBKEY(out.get(), k)) return Status::internal("writing a public key: " + ssl_error());
  return bio_text(out.get());
}

Status check_spec(const CertSpec& s) {
  if (s.common_name.empty() || s.common_name.size() > 64)
    return Status::invalid_argument("certificate common name must be 1..64 characters");
  if (s.not_after_unix <= s.not_before_unix)
    return Status::invalid_argument("certificate not_after must be later than not_before");
  for (const auto& d : s.dns_names)
    if (d.empty() || d.size() > 253) return Status::invalid_argument("certificate DNS name must be 1..253 characters");
  return Status();
}

Status add_ext(X509* x, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
  Ext e(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!e || !X509_add_ext(x, e.get(), -1)) return Status::internal(std::string("certificate extension: ") + ssl_error());
  return Status();
}

Status add_alt_names(X509* x, const CertSpec& s) {
  if (s.dns_names.empty() && s.ip_addresses.empty()) return Status();
  Names names(sk_GENERAL_NAME_new_null());
  for (const auto& d : s.dns_names) {
    GENERAL_NAME* g = GENERAL_NAME_new();
    ASN1_IA5STRING* str = ASN1_IA5STRING_new();
    ASN1_STRING_set(str, d.data(), static_cast<int>(d.size()));
    GENERAL_NAME_set0_value(g, GEN_DNS, str);
    sk_GENERAL_NAME_push(names.get(), g);
  }
  for (const auto& ip : s.ip_addresses) {
    ASN1_OCTET_STRING* oct = a2i_IPADDRESS(ip.c_str());
    if (!oct) return Status::invalid_argument("certificate IP address '" + ip + "' is not an IPv4 or IPv6 address");
    GENERAL_NAME* g = GENERAL_NAME_new();
    GENERAL_NAME_set0_value(g, GEN_IPADD, oct);
    sk_GENERAL_NAME_push(names.get(), g);
  }
  if (!X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT))
    return Status::internal("subjectAltName: " + ssl_error());
  return Status();
}

// A certificate with everything but the issuer's signature and extensions
// that need the issuer.
Result<X509Ptr> base_cert(EVP_PKEY* subject, const CertSpec& s) {
  BC_RETURN_IF_ERROR(check_spec(s));
  X509Ptr x(X509_new());
  X509_set_version(x.get(), 2);  // v3
  Bn serial(BN_new());
  if (!BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY))
    return Status::internal("certificate serial: " + ssl_error());
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x.get()));
  ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(s.not_before_unix));
  ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(s.not_after_unix));
  X509_set_pubkey(x.get(), subject);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(s.common_name.c_str()), -1, -1, 0);
  BC_RETURN_IF_ERROR(add_alt_names(x.get(), s));
  return x;
}

Result<std::string> sign_to_pem(X509* x, EVP_PKEY* signer) {
  if (!X509_sign(x, signer, EVP_sha256())) return Status::internal("signing a certificate: " + ssl_error());
  Bio out(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(out.get(), x)) return Status::internal("writing a certificate: " + ssl_error());
  return bio_text(out.get());
}

int64_t to_unix(const ASN1_TIME* t) {
  struct tm tm {};
  if (!ASN1_TIME_to_tm(t, &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<KeyPair> generate_key() {
  Pkey k(EVP_EC_gen("P-256"));
  if (!k) return Status::internal("generating an EC key: " + ssl_error());
  Bio priv(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(priv.get(), k.get(), nullptr, nullptr, 0, nullptr, nullptr))
    return Status::internal("writing a private key: " + ssl_error());
  KeyPair out;
  out.private_pem = bio_text(priv.get());
  BC_ASSIGN_OR_RETURN(out.public_pem, public_pem_of(k.get()));
  return out;
}

Result<std::string> public_key_of(const std::string& private_pem) {
  BC_ASSIGN_OR_RETURN(Pkey k, load_private(private_pem));
  return public_pem_of(k.get());
}

Result<std::string> self_signed_ca(const std::string& ca_private_pem, const CertSpec& spec) {
  BC_ASSIGN_OR_RETURN(Pkey key, load_private(ca_private_pem));
  BC_ASSIGN_OR_RETURN(X509Ptr x, base_cert(key.get(), spec));
  X509_set_issuer_name(x.get(), X509_get_subject_name(x.get()));
  BC_RETURN_IF_ERROR(add_ext(x.get(), x.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  BC_RETURN_IF_ERROR(add_ext(x.get(), x.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  BC_RETURN_IF_ERROR(add_ext(x.get(), x.get(), NID_subject_key_identifier, "hash"));
  return sign_to_pem(x.get(), key.get());
}

Result<std::string> issue(const std::string& ca_cert_pem, const std::string& ca_private_pem,
                          const std::string& subject_public_pem, const CertSpec& spec) {
  if (spec.is_ca) return Status::invalid_argument("issue() makes leaf certificates; a CA is self-signed");
  BC_ASSIGN_OR_RETURN(X509Ptr ca, load_cert(ca_cert_pem));
  BC_ASSIGN_OR_RETURN(Pkey ca_key, load_private(ca_private_pem));
  if (X509_check_private_key(ca.get(), ca_key.get()) != 1)
    return Status::invalid_argument("the CA key does not match the CA certificate");
  BC_ASSIGN_OR_RETURN(Pkey subject, load_public(subject_public_pem));
  BC_ASSIGN_OR_RETURN(X509Ptr x, base_cert(subject.get(), spec));
  X509_set_issuer_name(x.get(), X509_get_subject_name(ca.get()));
  BC_RETURN_IF_ERROR(add_ext(x.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE"));
  BC_RETURN_IF_ERROR(add_ext(x.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyAgreement"));
  BC_RETURN_IF_ERROR(add_ext(x.get(), ca.get(), NID_ext_key_usage, "serverAuth,clientAuth"));
  BC_RETURN_IF_ERROR(add_ext(x.get(), ca.get(), NID_authority_key_identifier, "keyid:always"));
  return sign_to_pem(x.get(), ca_key.get());
}

Result<CertInfo> inspect(const std::string& cert_pem) {
  BC_ASSIGN_OR_RETURN(X509Ptr x, load_cert(cert_pem));
  CertInfo info;
  Bn serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x.get()), nullptr));
  if (serial) {
    char* hex = BN_bn2hex(serial.get());
    info.serial_hex = lower(hex);
    OPENSSL_free(hex);
  }
  X509_NAME* name = X509_get_subject_name(x.get());
  int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i >= 0) {
    ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    info.common_name.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                            static_cast<size_t>(ASN1_STRING_length(cn)));
  }
  Names gens(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x.get(), NID_subject_alt_name, nullptr, nullptr)));
  for (int k = 0; gens && k < sk_GENERAL_NAME_num(gens.get()); ++k) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(gens.get(), k);
    if (g->type == GEN_DNS) {
      info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(g->d.dNSName)),
                                  static_cast<size_t>(ASN1_STRING_length(g->d.dNSName)));
    } else if (g->type == GEN_IPADD) {
      const unsigned char* b = ASN1_STRING_get0_data(g->d.iPAddress);
      int len = ASN1_STRING_length(g->d.iPAddress);
      char text[INET6_ADDRSTRLEN] = {};
      if ((len == 4 || len == 16) && inet_ntop(len == 4 ? AF_INET : AF_INET6, b, text, sizeof text))
        info.ip_addresses.emplace_back(text);
    }
  }
  info.not_before_unix = to_unix(X509_get0_notBefore(x.get()));
  info.not_after_unix = to_unix(X509_get0_notAfter(x.get()));
  info.is_ca = X509_check_ca(x.get()) > 0;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  X509_digest(x.get(), EVP_sha256(), md, &n);
  info.fingerprint_sha256 = to_hex({md, n});
  EVP_PKEY* pub = X509_get0_pubkey(x.get());
  info.spki_sha256 = spki_sha256_of(pub);
  BC_ASSIGN_OR_RETURN(info.public_pem, public_pem_of(pub));
  return info;
}

Result<std::string> public_key_sha256(const std::string& public_pem) {
  BC_ASSIGN_OR_RETURN(Pkey k, load_public(public_pem));
  return spki_sha256_of(k.get());
}

Status verify_issued_by(const std::string& cert_pem, const std::string& ca_cert_pem, int64_t now_unix) {
  BC_ASSIGN_OR_RETURN(X509Ptr x, load_cert(cert_pem));
  BC_ASSIGN_OR_RETURN(X509Ptr ca, load_cert(ca_cert_pem));
  Store store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca.get());
  StoreCtx ctx(X509_STORE_CTX_new());
  if (!X509_STORE_CTX_init(ctx.get(), store.get(), x.get(), nullptr))
    return Status::internal("certificate check: " + ssl_error());
  X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(now_unix));
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return Status::permission_denied(std::string("certificate refused: ") + X509_verify_cert_error_string(err));
  }
  return Status();
}

std::string colon_fingerprint(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (!out.empty()) out += ':';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
    if (i + 1 < hex.size()) out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i + 1])));
  }
  return out;
}

}  // namespace bc::pki
