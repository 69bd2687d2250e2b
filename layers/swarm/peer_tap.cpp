#include "layers/swarm/peer_tap.hpp"

#include <libtorrent/error_code.hpp>
#include <libtorrent/peer_connection_handle.hpp>

#include <algorithm>
#include <utility>

namespace bc {

namespace lt = libtorrent;

void PeerTapState::add_bytes(const boost::asio::ip::address& a, uint64_t n) {
  std::lock_guard lock(mu);
  auto it = bytes_by_ip.find(a);
  if (it != bytes_by_ip.end()) it->second += n;
  else if (bytes_by_ip.size() < kMaxTappedPeers) bytes_by_ip.emplace(a, n);
  else overflow_bytes += n;
}

void PeerTapState::add_sent(const boost::asio::ip::address& a, uint64_t n) {
  std::lock_guard lock(mu);
  auto it = sent_by_ip.find(a);
  if (it != sent_by_ip.end()) it->second += n;
  else if (sent_by_ip.size() < kMaxTappedPeers) sent_by_ip.emplace(a, n);
  else sent_overflow_bytes += n;
}

uint64_t PeerTapState::payload_of(int piece, int start, int length) const {
  auto it = short_pieces.find(piece);
  if (it == short_pieces.end()) return uint64_t(length);
  return uint64_t(std::clamp(it->second - start, 0, length));
}

void PeerTapState::add_failure(int piece, const boost::asio::ip::address& a) {
  std::lock_guard lock(mu);
  auto it = failed_piece_peers.find(piece);
  if (it == failed_piece_peers.end()) {
    if (failed_piece_peers.size() >= kMaxTappedFailedPieces) return;
    it = failed_piece_peers.emplace(piece, std::vector<boost::asio::ip::address>{}).first;
  }
  if (std::find(it->second.begin(), it->second.end(), a) == it->second.end() && it->second.size() < 64)
    it->second.push_back(a);
}

std::vector<boost::asio::ip::address> PeerTapState::take_failure(int piece) {
  std::lock_guard lock(mu);
  auto it = failed_piece_peers.find(piece);
  if (it == failed_piece_peers.end()) return {};
  auto out = std::move(it->second);
  failed_piece_peers.erase(it);
  return out;
}

void PeerTapState::add_banned(const boost::asio::ip::address& a) {
  std::lock_guard lock(mu);
  if (banned.size() < kMaxTappedBans) banned.push_back(a);
}

std::vector<boost::asio::ip::address> PeerTapState::take_banned() {
  std::lock_guard lock(mu);
  return std::exchange(banned, {});
}

namespace {

class PeerTap final : public lt::peer_plugin {
 public:
  PeerTap(std::shared_ptr<PeerTapState> s, boost::asio::ip::address a) : state_(std::move(s)), addr_(a) {}
  bool on_piece(const lt::peer_request& r, lt::span<const char>) override {
    state_->add_bytes(addr_, state_->payload_of(int(r.piece), r.start, r.length));
    return false;  // counted, not handled: libtorrent goes on as usual
  }
  void sent_payload(int bytes) override {
    if (bytes > 0) state_->add_sent(addr_, uint64_t(bytes));
  }
  void on_piece_failed(lt::piece_index_t p) override { state_->add_failure(int(p), addr_); }
  void on_disconnect(const lt::error_code& ec) override {
    if (ec == lt::errors::peer_banned) state_->add_banned(addr_);
  }

 private:
  std::shared_ptr<PeerTapState> state_;
  boost::asio::ip::address addr_;
};

class TorrentTap final : public lt::torrent_plugin {
 public:
  explicit TorrentTap(std::shared_ptr<PeerTapState> s) : state_(std::move(s)) {}
  std::shared_ptr<lt::peer_plugin> new_connection(const lt::peer_connection_handle& pc) override {
    auto a = pc.remote().address();
    if (a.is_v6() && a.to_v6().is_v4_mapped())
      a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
    return std::make_shared<PeerTap>(state_, a);
  }

 private:
  std::shared_ptr<PeerTapState> state_;
};

}  // namespace

std::shared_ptr<lt::torrent_plugin> make_peer_tap(std::shared_ptr<PeerTapState> state) {
  return std::make_shared<TorrentTap>(std::move(state));
}

}  // namespace bc
