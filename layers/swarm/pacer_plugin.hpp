// The request pacer (layers/governor/request_pacer.hpp) inside libtorrent: a
// torrent plugin whose peer plugins hold the block requests libtorrent sends
// to WAN peers (BitTorrent connections to addresses outside the LAN subnets)
// and send them when the pacer releases them, from libtorrent's own callbacks
// (a piece or reject arrived) and from a timer on the session's io_context.
//
// A held request is one libtorrent believes sent; the peer plugin writes the
// request message itself when it is released. A peer that chokes us is sent
// its held requests at once (it rejects them, as BEP 6 requires, and
// libtorrent's bookkeeping stays whole); a cancelled held request is sent
// after the cancel, so the peer answers it rather than leave libtorrent
// waiting for a reject that would never come (end game only).
//
// Time comes from the node's Clock (now_us), read on the network thread: the
// clock must be thread-safe to read. The timer that releases held requests
// waits for the difference of two clock readings in real time.
//
// Thread affinity: set_pace/set_lan/stop from any thread; everything
// else runs on libtorrent's network thread (the io_context's).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <libtorrent/extensions.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "layers/governor/request_pacer.hpp"
#include "layers/swarm/ip_subnet.hpp"
#include "layers/util/clock.hpp"

namespace bc {

class PacedPeer;

class PacerHub : public std::enable_shared_from_this<PacerHub> {
 public:
  // `ios` runs libtorrent's network thread and must outlive the hub's timer
  // (stop() it before the io_context stops); `clock` must outlive the hub.
  static std::shared_ptr<PacerHub> create(boost::asio::io_context& ios, const Clock& clock,
                                          governor::RequestPacerOptions options = {});

  // Any thread. rate 0 = no pacing.
  void set_pace(int64_t rate_bytes_per_s, int64_t window_bytes);
  // Any thread: peers inside these subnets are not paced (new connections).
  void set_lan(std::vector<IpSubnet> lan);
  // Any thread: no more timer; held requests stay with their peers.
  void stop();

  // For add_torrent_params::extensions.
  std::shared_ptr<libtorrent::torrent_plugin> torrent_plugin();

  // Network thread (the peer plugins).
  bool is_lan(const boost::asio::ip::address& a) const;
  bool admit(PacedPeer* p, const governor::PacedRequest& r);
  void answered(PacedPeer* p, const governor::PacedRequest& r);
  bool cancelled(PacedPeer* p, const governor::PacedRequest& r);
  std::vector<governor::PacedRequest> take_held(PacedPeer* p);
  void attach(PacedPeer* p, std::weak_ptr<PacedPeer> w);
  void detach(PacedPeer* p);
  // Sends what is due and arms the timer for the rest.
  void pump();

 private:
  PacerHub(boost::asio::io_context& ios, const Clock& clock, governor::RequestPacerOptions options);
  void arm(int64_t now_us);

  boost::asio::io_context& ios_;
  const Clock& clock_;
  boost::asio::steady_timer timer_;
  int64_t timer_at_us_ = -1;  // when the armed timer fires; -1 = not armed
  bool stopped_ = false;
  governor::RequestPacer pacer_;
  std::map<PacedPeer*, std::weak_ptr<PacedPeer>> peers_;

  mutable std::mutex mu_;  // guards lan_
  std::vector<IpSubnet> lan_;
};

}  // namespace bc
