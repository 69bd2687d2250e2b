// SwarmNode: TLS between peers (SSL torrents). The node's certificate goes to
// every SSL layer's TLS context; the revoked serials go to the certificate
// guard, which drops and refuses their holders (layers/swarm/cert_guard.hpp).
#include "layers/swarm/peer_cert.hpp"
#include "layers/swarm/swarm_node_impl.hpp"
#include "layers/torrent/layer_torrent.hpp"

namespace bc {

Status SwarmNode::set_certificate(const std::string& cert_pem, const std::string& key_pem) {
  Impl& m = *impl_;
  if (m.options.insecure_plain_peers)
    return Status::unsupported("swarm node runs with insecure_plain_peers: it has no TLS peers to present a certificate to");
  BC_ASSIGN_OR_RETURN(NodeCertificate c, load_node_certificate(cert_pem, key_pem, m.clock->unix_s()));
  m.cert = std::move(c);
  for (auto& [key, l] : m.layers) m.apply_cert(l);
  return Status();
}

void SwarmNode::Impl::apply_cert(LayerState& l) {
  if (!l.ssl || !cert || !l.handle.is_valid()) return;
  // Our certificate and key, for both directions: libtorrent's per-torrent
  // TLS context verifies the peer against the torrent's CA and presents ours.
  l.handle.set_ssl_certificate_buffer(cert->cert_pem, cert->key_pem, tls_dh_params_pem());
}

void SwarmNode::set_revoked_serials(std::vector<std::string> serials_hex) {
  impl_->session->cert_guard()->set_revoked(serials_hex);
}

bool SwarmNode::certificate_covers(const LayerRef& layer) const {
  return impl_->cert && cert_names_cover(impl_->cert->dns_names, torrent_top_dir(layer));
}

SwarmNode::CertRefusals SwarmNode::cert_refusals() const {
  const CertRefusalCounts c = impl_->session->cert_guard()->counts();
  return {c.revoked, c.wrong_name, c.expired, c.no_certificate};
}

// A secure node takes SSL torrents only; an insecure one plain torrents only
// (it has no TLS sockets to serve an SSL torrent on).
Status check_layer_transport(const TorrentFacts& facts, bool insecure_plain_peers) {
  if (!insecure_plain_peers && facts.ssl_cert.empty())
    return Status::invalid_argument(
        "torrent '" + facts.top_dir +
        "' is not an SSL torrent (no CA certificate in its info dict): this node serves peers over TLS only; "
        "publish the layer through the tracker, which makes its torrent an SSL torrent "
        "(or set insecure_plain_peers for a plain test swarm)");
  if (insecure_plain_peers && !facts.ssl_cert.empty())
    return Status::invalid_argument("torrent '" + facts.top_dir +
                                    "' is an SSL torrent but this node runs with insecure_plain_peers (no TLS sockets)");
  return Status();
}

}  // namespace bc
