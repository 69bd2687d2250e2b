#include "tracker/client/tls_check.hpp"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

#include "layers/pki/pki.hpp"
#include "layers/util/fs.hpp"

namespace bc::tracker {

namespace {

std::string pem_of(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (!bio) return "";
  std::string out;
  if (PEM_write_bio_X509(bio, cert) == 1) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    if (n > 0) out.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  return out;
}

std::string names_of(const std::string& pem) {
  auto info = pki::inspect(pem);
  if (!info.ok()) return "(unreadable names)";
  std::string out;
  for (const auto* list : {&info->dns_names, &info->ip_addresses})
    for (const auto& n : *list) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "no names" : out;
}

bool is_expiry(int err) {
  return err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID;
}

}  // namespace

std::string pinned_fingerprint_of(const std::string& ca_file) {
  auto text = read_small_file(ca_file, 1 << 20);
  if (!text.ok()) return "unreadable: " + text.status().to_string();
  auto info = pki::inspect(*text);
  if (!info.ok()) return "unreadable: " + info.status().to_string();
  return pki::colon_fingerprint(info->fingerprint_sha256);
}

TlsCheck::TlsCheck(std::string host, uint16_t port, std::string ca_file)
    : host_(std::move(host)), port_(port), ca_file_(std::move(ca_file)) {}

std::string TlsCheck::where() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

bool TlsCheck::verify(bool preverified, boost::asio::ssl::verify_context& ctx) {
  X509_STORE_CTX* store = ctx.native_handle();
  const int depth = X509_STORE_CTX_get_error_depth(store);
  if (!preverified) {
    if (chain_error_ == 0) chain_error_ = X509_STORE_CTX_get_error(store);
    if (X509* leaf = X509_STORE_CTX_get0_cert(store)) presented_pem_ = pem_of(leaf);
    return false;
  }
  if (depth > 0) return true;  // the CA itself; the names are the leaf's
  if (X509* leaf = X509_STORE_CTX_get_current_cert(store)) presented_pem_ = pem_of(leaf);
  // Asio compares the host with the IP names when it is an address and with
  // the DNS names otherwise (RFC 2818 rules).
  const bool ok = boost::asio::ssl::host_name_verification(host_)(preverified, ctx);
  if (!ok) name_mismatch_ = true;
  return ok;
}

Status TlsCheck::explain(const boost::system::error_code& ec) const {
  const std::string at = "tracker at " + where();
  if (name_mismatch_)
    return Status::permission_denied(at + " presents a certificate for " + names_of(presented_pem_) +
                                     ", which does not name " + host_ +
                                     " (the host dialled): dial one of those names, or add " + host_ +
                                     " to the tracker's [server] tls_names");
  if (chain_error_ != 0 && is_expiry(chain_error_))
    return Status::permission_denied(at + " presents a certificate that is " +
                                     X509_verify_cert_error_string(chain_error_) +
                                     " (check the clocks, or restart the tracker to renew it)");
  if (chain_error_ != 0)
    return Status::permission_denied(at + " presents a certificate not issued by the pinned CA (SHA256 " +
                                     pinned_fingerprint_of(ca_file_) + ", " + ca_file_ + "): " +
                                     X509_verify_cert_error_string(chain_error_));
  if (ec.category() == boost::asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_WRONG_VERSION_NUMBER)
    return Status::unavailable(at + " does not speak TLS (a tracker with insecure_plain_http? then the node needs "
                                    "an http:// URL and insecure_plain_http = true)");
  return Status::unavailable("TLS handshake with " + at + ": " + ec.message());
}

}  // namespace bc::tracker
