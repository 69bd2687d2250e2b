#include "layers/swarm/cert_guard.hpp"

#include <boost/asio/post.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/peer_connection_handle.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace bc {

namespace lt = libtorrent;

// Serials compare as numbers: lower case, without leading zeros (pki::inspect
// prints whole bytes, "0ac9...", and revocation lists may not).
std::string normalize_serial(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  const size_t nz = s.find_first_not_of('0');
  return nz == std::string::npos ? std::string("0") : s.substr(nz);
}

namespace {

std::string endpoint_text(const lt::tcp::endpoint& ep) {
  const auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

}  // namespace

std::optional<CertRefusalReason> judge_peer_cert(const PeerCert& c, const std::string& torrent_name,
                                                 const std::set<std::string>& revoked, int64_t now_unix) {
  if (revoked.count(normalize_serial(c.serial_hex))) return CertRefusalReason::revoked;
  if (!cert_names_cover(c.dns_names, torrent_name)) return CertRefusalReason::wrong_name;
  if (c.not_after_unix <= now_unix) return CertRefusalReason::expired;
  return std::nullopt;
}

std::string describe_refusal(CertRefusalReason reason, const PeerCert& c, const std::string& torrent_name) {
  switch (reason) {
    case CertRefusalReason::revoked:
      return "certificate serial " + c.serial_hex + " is revoked";
    case CertRefusalReason::wrong_name: {
      std::string names;
      for (const auto& n : c.dns_names) names += (names.empty() ? "" : ", ") + n;
      return "certificate serial " + c.serial_hex + " does not name " + torrent_name + " (names: " +
             (names.empty() ? "none" : names) + ")";
    }
    case CertRefusalReason::expired:
      return "certificate serial " + c.serial_hex + " expired at unix time " + std::to_string(c.not_after_unix);
    case CertRefusalReason::no_certificate:
      break;
  }
  return "no readable TLS certificate";
}

// One BitTorrent connection of an SSL torrent.
class GuardedPeer final : public lt::peer_plugin {
 public:
  GuardedPeer(std::shared_ptr<CertGuardHub> hub, lt::peer_connection_handle pc, std::string torrent_name)
      : hub_(std::move(hub)), pc_(pc), torrent_name_(std::move(torrent_name)) {}

  // The TLS handshake is done by the time the BitTorrent handshake arrives
  // (libtorrent starts the BT protocol only over an established TLS
  // stream), and nothing of ours has been sent yet: libtorrent returns
  // without its bitfield when a plugin disconnected here.
  bool on_handshake(lt::span<const char>) override {
    auto c = read_peer_cert(pc_);
    if (!c.ok()) {
      refuse(CertRefusalReason::no_certificate, c.status().message());
      return true;
    }
    cert_ = std::move(*c);
    check();
    return true;
  }
  void tick() override { check(); }
  void on_disconnect(const lt::error_code&) override { hub_->detach(this); }

  void check() {
    if (!cert_ || done_) return;
    auto reason = judge_peer_cert(*cert_, torrent_name_, *hub_->revoked(), hub_->now_unix());
    if (reason) refuse(*reason, describe_refusal(*reason, *cert_, torrent_name_));
  }

 private:
  void refuse(CertRefusalReason reason, const std::string& why) {
    if (done_ || pc_.is_disconnecting()) return;
    done_ = true;
    const std::string peer = endpoint_text(pc_.remote());
    hub_->refused({torrent_name_, peer, reason, cert_ ? cert_->serial_hex : "", "dropped peer " + peer + ": " + why});
    pc_.disconnect(lt::errors::invalid_ssl_cert, lt::operation_t::ssl_handshake);
  }

  std::shared_ptr<CertGuardHub> hub_;
  lt::peer_connection_handle pc_;
  std::string torrent_name_;
  std::optional<PeerCert> cert_;
  bool done_ = false;
};

namespace {

class GuardedTorrent final : public lt::torrent_plugin {
 public:
  GuardedTorrent(std::shared_ptr<CertGuardHub> hub, std::string name) : hub_(std::move(hub)), name_(std::move(name)) {}
  std::shared_ptr<lt::peer_plugin> new_connection(const lt::peer_connection_handle& pc) override {
    // Web seeds are HTTP: not peers, and not covered by TLS (docs/security.md).
    if (pc.type() != lt::connection_type::bittorrent) return nullptr;
    auto p = std::make_shared<GuardedPeer>(hub_, pc, name_);
    hub_->attach(p.get(), p);
    return p;
  }

 private:
  std::shared_ptr<CertGuardHub> hub_;
  std::string name_;
};

}  // namespace

std::shared_ptr<CertGuardHub> CertGuardHub::create(boost::asio::io_context& ios, const Clock& clock) {
  return std::shared_ptr<CertGuardHub>(new CertGuardHub(ios, clock));
}

std::shared_ptr<lt::torrent_plugin> CertGuardHub::torrent_plugin(std::string torrent_name) {
  return std::make_shared<GuardedTorrent>(shared_from_this(), std::move(torrent_name));
}

void CertGuardHub::set_revoked(const std::vector<std::string>& serials) {
  auto set = std::make_shared<std::set<std::string>>();
  for (const auto& s : serials) {
    if (set->size() >= kMaxRevokedSerials) break;
    set->insert(normalize_serial(s));
  }
  {
    std::lock_guard lock(mu_);
    revoked_ = std::move(set);
  }
  boost::asio::post(ios_, [self = shared_from_this()] { self->sweep(); });
}

void CertGuardHub::sweep() {
  // check() may disconnect, and on_disconnect detaches: walk a copy.
  std::vector<std::shared_ptr<GuardedPeer>> live;
  for (const auto& [p, w] : peers_)
    if (auto s = w.lock()) live.push_back(std::move(s));
  for (const auto& p : live) p->check();
}

std::shared_ptr<const std::set<std::string>> CertGuardHub::revoked() const {
  std::lock_guard lock(mu_);
  return revoked_;
}

void CertGuardHub::refused(CertRefusal r) {
  std::lock_guard lock(mu_);
  switch (r.reason) {
    case CertRefusalReason::revoked: ++counts_.revoked; break;
    case CertRefusalReason::wrong_name: ++counts_.wrong_name; break;
    case CertRefusalReason::expired: ++counts_.expired; break;
    case CertRefusalReason::no_certificate: ++counts_.no_certificate; break;
  }
  if (pending_.size() < kMaxPendingRefusals) pending_.push_back(std::move(r));
  else ++counts_.unreported;
}

std::vector<CertRefusal> CertGuardHub::take_refusals() {
  std::lock_guard lock(mu_);
  return std::exchange(pending_, {});
}

CertRefusalCounts CertGuardHub::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

}  // namespace bc
