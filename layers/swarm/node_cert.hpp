// A swarm node's own TLS identity for SSL torrents: the certificate the
// tracker issued (CN = node id, DNS names = the torrents it may take part in)
// and its private key, checked before libtorrent sees them, so a bad pair is
// a precise error here rather than a torrent_error_alert per torrent later.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc {

struct NodeCertificate {
  std::string cert_pem;
  std::string key_pem;  // a secret: never logged
  std::string serial_hex;
  std::vector<std::string> dns_names;
  int64_t not_after_unix = 0;
};

// Errors (invalid_argument, naming what is wrong and never quoting the key):
// the certificate or key does not parse, the key is not the certificate's,
// the certificate is a CA or has expired at `now_unix`.
Result<NodeCertificate> load_node_certificate(const std::string& cert_pem, const std::string& key_pem,
                                              int64_t now_unix);

// Diffie-Hellman parameters for libtorrent's per-torrent TLS context (it sets
// them with every certificate and reports an error alert when they are
// missing): the RFC 7919 ffdhe2048 group. ECDHE is what TLS 1.3 and our EC
// keys negotiate; this only fills the slot.
const std::string& tls_dh_params_pem();

}  // namespace bc
