#include "layers/swarm/peer_cert.hpp"

#include <libtorrent/aux_/socket_type.hpp>
#include <libtorrent/peer_connection.hpp>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

#include "layers/pki/pki.hpp"

namespace bc {

namespace lt = libtorrent;

namespace {

// The SSL* of a TLS connection, nullptr for the plain socket types (the
// visitor libtorrent itself uses in torrent::attach_peer, rebuilt from the
// installed headers).
struct SslHandle {
  using result_type = SSL*;
  template <class S>
  SSL* operator()(lt::ssl_stream<S>& s) const { return s.handle(); }
  template <class S>
  SSL* operator()(S&) const { return nullptr; }
};

// DER -> PEM, then pki::inspect: one parser for certificates in the code base.
Result<std::string> to_pem(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return Status::internal("peer certificate: PEM encoding failed");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size_t(n));
}

}  // namespace

Result<PeerCert> read_peer_cert(const lt::peer_connection_handle& pc) {
  std::shared_ptr<lt::peer_connection> conn = pc.native_handle();
  if (!conn) return Status::not_found("peer connection is gone");
  SSL* ssl = boost::apply_visitor(SslHandle{}, conn->get_socket());
  if (!ssl) return Status::unsupported("peer connection is not TLS");
  std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl), &X509_free);
  if (!cert) return Status::not_found("peer presented no certificate");
  BC_ASSIGN_OR_RETURN(std::string pem, to_pem(cert.get()));
  auto info = pki::inspect(pem);
  if (!info.ok()) return Status::corruption("peer certificate: " + info.status().message());
  return PeerCert{info->serial_hex, info->dns_names, info->not_after_unix};
}

bool cert_names_cover(const std::vector<std::string>& dns_names, const std::string& torrent_name) {
  for (const auto& n : dns_names)
    if (n == "*" || n == torrent_name) return true;
  return false;
}

}  // namespace bc
