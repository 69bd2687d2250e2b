#include "layers/swarm/pacer_plugin.hpp"

#include <boost/asio/post.hpp>
#include <libtorrent/peer_connection_handle.hpp>

#include <chrono>

namespace bc {

namespace lt = libtorrent;

namespace {

governor::PacedRequest to_paced(const lt::peer_request& r) { return {int(r.piece), r.start, r.length}; }

void put_u32(char* p, uint32_t v) {
  p[0] = char(v >> 24);
  p[1] = char(v >> 16);
  p[2] = char(v >> 8);
  p[3] = char(v);
}

}  // namespace

// One WAN BitTorrent connection's view of the hub.
class PacedPeer final : public lt::peer_plugin {
 public:
  PacedPeer(std::shared_ptr<PacerHub> hub, lt::peer_connection_handle pc) : hub_(std::move(hub)), pc_(pc) {}

  bool write_request(const lt::peer_request& r) override {
    return !hub_->admit(this, to_paced(r));  // true = held: we write it when released
  }
  bool on_piece(const lt::peer_request& r, lt::span<const char>) override {
    hub_->answered(this, to_paced(r));
    hub_->pump();
    return false;
  }
  bool on_reject(const lt::peer_request& r) override {
    hub_->answered(this, to_paced(r));
    hub_->pump();
    return false;
  }
  bool on_choke() override {
    for (const auto& r : hub_->take_held(this)) send(r);
    return false;
  }
  void sent_cancel(const lt::peer_request& r) override {
    if (hub_->cancelled(this, to_paced(r))) send(to_paced(r));
  }
  void on_disconnect(const lt::error_code&) override { hub_->detach(this); }

  // The BitTorrent REQUEST message (id 6), as libtorrent would write it.
  void send(const governor::PacedRequest& r) {
    std::shared_ptr<lt::peer_connection> alive = pc_.native_handle();
    if (!alive || pc_.is_disconnecting()) return;
    char msg[17];
    put_u32(msg, 13);
    msg[4] = 6;
    put_u32(msg + 5, uint32_t(r.piece));
    put_u32(msg + 9, uint32_t(r.start));
    put_u32(msg + 13, uint32_t(r.length));
    pc_.send_buffer(msg, int(sizeof msg));
  }

 private:
  std::shared_ptr<PacerHub> hub_;
  lt::peer_connection_handle pc_;
};

namespace {

class PacedTorrent final : public lt::torrent_plugin {
 public:
  explicit PacedTorrent(std::shared_ptr<PacerHub> hub) : hub_(std::move(hub)) {}
  std::shared_ptr<lt::peer_plugin> new_connection(const lt::peer_connection_handle& pc) override {
    if (pc.type() != lt::connection_type::bittorrent) return nullptr;  // web seeds: the class limit
    auto a = pc.remote().address();
    if (a.is_v6() && a.to_v6().is_v4_mapped())
      a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
    if (hub_->is_lan(a)) return nullptr;
    auto p = std::make_shared<PacedPeer>(hub_, pc);
    hub_->attach(p.get(), p);
    return p;
  }

 private:
  std::shared_ptr<PacerHub> hub_;
};

}  // namespace

std::shared_ptr<PacerHub> PacerHub::create(boost::asio::io_context& ios, const Clock& clock,
                                           governor::RequestPacerOptions options) {
  return std::shared_ptr<PacerHub>(new PacerHub(ios, clock, options));
}

PacerHub::PacerHub(boost::asio::io_context& ios, const Clock& clock, governor::RequestPacerOptions options)
    : ios_(ios), clock_(clock), timer_(ios), pacer_(options) {}

std::shared_ptr<lt::torrent_plugin> PacerHub::torrent_plugin() {
  return std::make_shared<PacedTorrent>(shared_from_this());
}

void PacerHub::set_pace(int64_t rate, int64_t window) {
  boost::asio::post(ios_, [self = shared_from_this(), rate, window] {
    self->pacer_.set_pace(rate, window, self->clock_.now_us());
    self->pump();
  });
}

void PacerHub::set_lan(std::vector<IpSubnet> lan) {
  std::lock_guard lock(mu_);
  lan_ = std::move(lan);
}

bool PacerHub::is_lan(const boost::asio::ip::address& a) const {
  std::lock_guard lock(mu_);
  for (const auto& s : lan_)
    if (s.contains(a)) return true;
  return false;
}

void PacerHub::stop() {
  boost::asio::post(ios_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
    // Whatever is held goes now: nobody will release it later (pump() sends
    // it; arm() no longer sets the timer).
    self->pacer_.set_pace(0, 0, self->clock_.now_us());
    self->pump();
  });
}

bool PacerHub::admit(PacedPeer* p, const governor::PacedRequest& r) {
  const int64_t now = clock_.now_us();
  const bool now_ok = pacer_.admit(reinterpret_cast<uint64_t>(p), r, now);
  if (!now_ok) arm(now);
  return now_ok;
}

void PacerHub::answered(PacedPeer* p, const governor::PacedRequest& r) { pacer_.answered(reinterpret_cast<uint64_t>(p), r); }

bool PacerHub::cancelled(PacedPeer* p, const governor::PacedRequest& r) {
  return pacer_.cancelled(reinterpret_cast<uint64_t>(p), r);
}

std::vector<governor::PacedRequest> PacerHub::take_held(PacedPeer* p) {
  return pacer_.take_held(reinterpret_cast<uint64_t>(p));
}

void PacerHub::attach(PacedPeer* p, std::weak_ptr<PacedPeer> w) { peers_[p] = std::move(w); }

void PacerHub::detach(PacedPeer* p) {
  pacer_.forget(reinterpret_cast<uint64_t>(p));
  peers_.erase(p);
  pump();
}

void PacerHub::pump() {
  const int64_t now = clock_.now_us();
  for (const auto& [peer, r] : pacer_.release(now)) {
    auto it = peers_.find(reinterpret_cast<PacedPeer*>(peer));
    if (it == peers_.end()) continue;
    if (auto p = it->second.lock()) p->send(r);
  }
  arm(now);
}

// One timer, set for when the pacer can next release; re-set only when that
// moves earlier (a later firing just re-arms).
void PacerHub::arm(int64_t now_us) {
  if (stopped_) return;
  const int64_t at = pacer_.next_release_us(now_us);
  if (at < 0) return;
  if (timer_at_us_ >= 0 && timer_at_us_ <= at) return;
  timer_at_us_ = at;
  timer_.expires_after(std::chrono::microseconds(std::max<int64_t>(0, at - now_us)));
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    self->timer_at_us_ = -1;
    self->pump();
  });
}

}  // namespace bc
