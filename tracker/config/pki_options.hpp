// The [pki] section of the tracker's configuration: node certificates for
// SSL torrents (tracker/service/node_certs.hpp, docs/security.md).
#pragma once

#include <cstdint>

#include "layers/util/status.hpp"

namespace bc::tracker {

inline constexpr int64_t kMinNodeCertLifetime_s = 300;
inline constexpr int64_t kMaxNodeCertLifetime_s = 7 * 86'400;

struct PkiOptions {
  // Lifetime of a node (and the origin's) certificate, seconds; nodes renew
  // at half-life. Default 3600; between 300 and 7 days. Shorter lifetimes
  // keep the revoked list small and bound how long a dropped entitlement
  // lingers in a certificate its node does not renew.
  int64_t node_cert_lifetime_s = 3600;
  // Publish plain torrents (no "ssl-cert" in the info dict): any holder of a
  // .torrent may then connect to the origin. For tests of plain swarms only;
  // logged loudly. Default false.
  bool insecure_plain_torrents = false;

  Status validate() const {
    if (node_cert_lifetime_s < kMinNodeCertLifetime_s || node_cert_lifetime_s > kMaxNodeCertLifetime_s)
      return Status::invalid_argument("pki.node_cert_lifetime_s = " + std::to_string(node_cert_lifetime_s) +
                                      " is outside [300, 604800]");
    return Status();
  }
};

}  // namespace bc::tracker
