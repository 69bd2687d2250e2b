// The tracker's certificate authority (docs/security.md): one EC P-256 CA,
// made on first start in <data_dir>/pki, that signs
//   - the tracker's HTTPS certificate (its names: localhost, the host name,
//     every local address, and the configured extra names), so nodes that
//     pin the CA at enrollment can check the tracker without any public CA;
//   - the nodes' short-lived certificates for SSL torrents, whose DNS names
//     are the torrents the node is entitled to (libtorrent matches a peer's
//     certificate names against the torrent's name);
//   - the origin seed's certificate.
// The CA certificate is also the root certificate in every published
// torrent's info dict: the nodes' swarm and HTTPS trust one anchor.
// Thread-safe after open() (issuing reads the immutable CA key).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/pki/pki.hpp"
#include "layers/util/clock.hpp"
#include "layers/util/status.hpp"

namespace bc::tracker {

struct TrackerCaOptions {
  std::string dir;                          // required: holds ca.key ca.pem https.key https.pem (0700)
  std::vector<std::string> https_names;     // extra DNS names or IP addresses for the HTTPS certificate
  bool local_names = true;                  // add localhost, the host name and every local address
  int64_t ca_lifetime_s = 10LL * 365 * 86400;   // default 10 years (republishing follows a new CA)
  int64_t https_lifetime_s = 397LL * 86400;     // default 397 days; reissued at start when < 30 days remain
  Status validate() const;
};

class TrackerCa {
 public:
  // Loads the CA from options.dir or makes it (refusing a key file others can
  // read); makes or renews the HTTPS certificate when missing, expiring within
  // 30 days, not issued by this CA, or missing a wanted name.
  static Result<TrackerCa> open(const TrackerCaOptions& options, const Clock& clock);

  const std::string& ca_cert_pem() const { return ca_cert_; }
  // SHA-256 of the CA certificate (DER), lower-case hex: what nodes pin.
  const std::string& ca_fingerprint() const { return ca_fingerprint_; }
  std::string https_cert_file() const { return dir_ + "/https.pem"; }
  std::string https_key_file() const { return dir_ + "/https.key"; }
  // The names the HTTPS certificate carries (DNS and IP).
  const std::vector<std::string>& https_names() const { return https_names_; }

  // A leaf certificate for `subject_public_pem` (TLS server and client use).
  Result<std::string> issue(const std::string& subject_public_pem, const pki::CertSpec& spec) const;

 private:
  std::string dir_;
  std::string ca_key_;
  std::string ca_cert_;
  std::string ca_fingerprint_;
  std::vector<std::string> https_names_;
};

// localhost, 127.0.0.1, ::1, the host name and every address of the local
// interfaces (what a node on this machine or its networks may dial).
std::vector<std::string> local_tls_names();

}  // namespace bc::tracker
