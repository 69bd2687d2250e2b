// The peer-certificate guard (docs/security.md, "Data plane"): a libtorrent
// plugin on every SSL torrent of a swarm node that drops a peer whose TLS
// certificate
//   - has a revoked serial (SwarmNode::set_revoked_serials),
//   - does not name the torrent exactly (nor "*") among its DNS names:
//     libtorrent 2.0.8 matches a prefix (peer_cert.hpp), or
//   - expires while the connection is up (libtorrent checks expiry only in
//     the handshake).
// libtorrent itself refuses certificates not signed by the torrent's CA and
// expired ones. The guard looks when the peer's BitTorrent handshake arrives
// (after the TLS handshake, before this side sends its bitfield or any
// payload), again every second (peer_plugin::tick, libtorrent's per-peer
// tick), and at once for every connected peer when the revoked set changes.
//
// Thread affinity: set_revoked, take_refusals and counts from any thread; the
// plugins run on libtorrent's network thread, the io_context given to create.
#pragma once

#include <boost/asio/io_context.hpp>
#include <libtorrent/extensions.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "layers/swarm/peer_cert.hpp"
#include "layers/util/clock.hpp"

namespace bc {

class GuardedPeer;

enum class CertRefusalReason { revoked, wrong_name, expired, no_certificate };

// A serial in the form the guard compares: lower case, no leading zeros.
std::string normalize_serial(std::string serial_hex);

// Why a peer holding `c` may not take part in torrent `torrent_name` at
// `now_unix`, or nullopt when it may. Pure.
// `revoked` holds normalized serials.
std::optional<CertRefusalReason> judge_peer_cert(const PeerCert& c, const std::string& torrent_name,
                                                 const std::set<std::string>& revoked, int64_t now_unix);
// "certificate serial ab12... is revoked" and the like, for logs.
std::string describe_refusal(CertRefusalReason reason, const PeerCert& c, const std::string& torrent_name);

struct CertRefusal {
  std::string torrent_name;  // "NAME-vVERSION"
  std::string peer;          // "ip:port"
  CertRefusalReason reason = CertRefusalReason::no_certificate;
  std::string serial_hex;    // empty when no certificate was read
  std::string message;       // "dropped peer 10.0.0.5:6881: certificate serial ab12 is revoked"
};

struct CertRefusalCounts {
  uint64_t revoked = 0;
  uint64_t wrong_name = 0;
  uint64_t expired = 0;
  uint64_t no_certificate = 0;
  uint64_t unreported = 0;  // refusals beyond kMaxPendingRefusals, counted but not queued
  uint64_t total() const { return revoked + wrong_name + expired + no_certificate; }
};

inline constexpr size_t kMaxPendingRefusals = 1024;
inline constexpr size_t kMaxRevokedSerials = 1u << 20;

class CertGuardHub : public std::enable_shared_from_this<CertGuardHub> {
 public:
  // `ios` runs libtorrent's network thread; `clock` (unix_s) judges expiry and
  // must be thread-safe to read and outlive the hub.
  static std::shared_ptr<CertGuardHub> create(boost::asio::io_context& ios, const Clock& clock);

  // Any thread. Serials in any case, leading zeros ignored; at most
  // kMaxRevokedSerials are kept (the rest ignored). Connected peers holding one
  // are dropped as soon as the network thread runs the sweep this posts.
  void set_revoked(const std::vector<std::string>& serials);
  // For add_torrent_params::extensions of an SSL torrent named `torrent_name`.
  std::shared_ptr<libtorrent::torrent_plugin> torrent_plugin(std::string torrent_name);
  // Any thread: refusals since the last call (at most kMaxPendingRefusals).
  std::vector<CertRefusal> take_refusals();
  CertRefusalCounts counts() const;

  // Network thread (the peer plugins).
  std::shared_ptr<const std::set<std::string>> revoked() const;
  int64_t now_unix() const { return clock_.unix_s(); }
  void refused(CertRefusal r);
  void attach(GuardedPeer* p, std::weak_ptr<GuardedPeer> w) { peers_[p] = std::move(w); }
  void detach(GuardedPeer* p) { peers_.erase(p); }

 private:
  CertGuardHub(boost::asio::io_context& ios, const Clock& clock) : ios_(ios), clock_(clock) {}
  void sweep();

  boost::asio::io_context& ios_;
  const Clock& clock_;
  std::map<GuardedPeer*, std::weak_ptr<GuardedPeer>> peers_;  // network thread only

  mutable std::mutex mu_;  // guards revoked_, pending_, counts_
  std::shared_ptr<const std::set<std::string>> revoked_ = std::make_shared<std::set<std::string>>();
  std::vector<CertRefusal> pending_;
  CertRefusalCounts counts_;
};

}  // namespace bc
