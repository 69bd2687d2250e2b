// A node's TLS identity for SSL torrents (docs/security.md): keeps
// <dir>/peer.key (EC P-256, made once, 0600) and <dir>/peer.pem (the
// certificate the tracker issues over POST /api/v1/cert, naming the torrents
// the node is entitled to), hands both to the swarm, renews at half-life and
// early when the node is about to add a layer its certificate does not name,
// and polls GET /api/v1/revoked, handing the serials to the swarm.
//
// The tracker may be down: the saved certificate serves after a restart and
// the current one is kept until it expires; its expiry without renewal is
// logged once as an error (peers refuse the node until the tracker answers).
//
// Time: every deadline is read from the injected clock (ms for scheduling,
// unix seconds against certificate validity). Thread affinity: the node's
// loop thread, like the TrackerClient it uses.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "layers/util/clock.hpp"
#include "layers/util/status.hpp"
#include "node/node_log.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::node {

struct CertKeeperOptions {
  std::string dir;                   // required: holds peer.key and peer.pem
  int64_t revoked_poll_ms = 15'000;  // GET /api/v1/revoked period; default 15 s
  int64_t retry_ms = 10'000;         // after a failed certificate request; default 10 s
  // At most one early renewal (for a layer the certificate lacks) per this
  // period, so an entitlement the tracker does not grant costs one request
  // per period, not one per loop turn; a name still lacking is asked for
  // again by tick() when the period ends. Default 10 s.
  int64_t early_renew_interval_ms = 10'000;
  Status validate() const;
};

// Where the certificate and the revoked list go (the SwarmNode's setters).
struct CertSink {
  std::function<Status(const std::string& cert_pem, const std::string& key_pem)> set_certificate;
  std::function<void(std::vector<std::string> serials)> set_revoked;
};

class CertKeeper {
 public:
  // Makes or loads peer.key (permission_denied for a key file others can
  // read), and applies a saved peer.pem that is still valid for that key.
  // Does not call the tracker: the first tick() does. `client`, `clock` and
  // `log` must outlive the keeper.
  static Result<std::unique_ptr<CertKeeper>> open(CertKeeperOptions options, tracker::TrackerClient& client,
                                                  const Clock& clock, CertSink sink, Logger log);

  // One loop turn: requests a certificate when none is held, half its life
  // has passed (or a retry is due), or a name ensure_covers() wanted is still
  // lacking once the early-renewal period has passed; polls the revoked list
  // when due.
  void tick();
  // True when the certificate names `torrent_name` (or "*"). When it does
  // not, asks the tracker at once (at most once per early_renew_interval_ms;
  // otherwise the name is remembered and tick() asks when the period ends)
  // and answers for the new certificate.
  bool ensure_covers(const std::string& torrent_name);

  bool has_certificate() const { return !serial_.empty(); }
  const std::string& serial() const { return serial_; }
  const std::vector<std::string>& names() const { return names_; }
  int64_t not_after_unix() const { return not_after_; }

 private:
  CertKeeper(CertKeeperOptions o, tracker::TrackerClient& c, const Clock& clock, CertSink sink, Logger log)
      : o_(std::move(o)), client_(c), clock_(clock), sink_(std::move(sink)), log_(std::move(log)) {}
  Status load_or_make_key();
  Status take(const std::string& cert_pem, bool save);
  Status request();
  void poll_revoked();
  bool covers(const std::string& name) const;

  CertKeeperOptions o_;
  tracker::TrackerClient& client_;
  const Clock& clock_;
  CertSink sink_;
  Logger log_;
  std::string key_pem_, public_pem_;
  std::string serial_;
  std::vector<std::string> names_;
  int64_t not_after_ = 0, renew_at_ = 0;  // unix s
  int64_t next_request_ms_ = INT64_MIN, next_revoked_ms_ = INT64_MIN, last_early_ms_ = INT64_MIN;
  bool expiry_logged_ = false;
  std::vector<std::string> wanted_;  // names ensure_covers() was asked for and the certificate lacked
};

}  // namespace bc::node
