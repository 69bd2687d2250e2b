// The libtorrent session of a swarm node and what runs around it: the
// io_context and network thread libtorrent runs on, the request pacer on that
// thread, the peer-certificate guard of SSL torrents, our two peer classes (LAN, WAN), the peer-class filter that sorts
// addresses into them and the IP filter that blocks banned peers.
//
// Set-up (start): settings from the node's options, no libtorrent extensions
// (no ut_metadata: nodes always hold the torrent; no PEX; no smart ban: in
// 2.0.8 it banned the honest seed that re-sent a piece a liar had corrupted,
// in 7 of 8 runs of swarm_corrupt_peer_test; bans come from libtorrent's
// trust points), the classes and filters, then a bounded wait for the listen
// sockets. Shutdown (stop, or the destructor): the pacer's timer stops, the
// session is aborted and destroyed, then the io_context drained (libtorrent's
// order for an external io_context), each step bounded.
//
// Thread affinity: the node's owner thread, except what PacerHub allows.
#pragma once

#include <boost/asio/io_context.hpp>
#include <libtorrent/alert.hpp>
#include <libtorrent/session.hpp>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "layers/swarm/cert_guard.hpp"
#include "layers/swarm/ip_subnet.hpp"
#include "layers/swarm/pacer_plugin.hpp"
#include "layers/swarm/swarm_options.hpp"
#include "layers/util/clock.hpp"

namespace bc {

class SwarmSession {
 public:
  // Starts the session and waits (bounded, ~5 s) for its listen sockets.
  // `socket_buffer_cap_bytes`: the kernel's cap (socket_buffer_cap.hpp).
  // `clock` paces requests on the network thread: it must be thread-safe to
  // read and outlive the session. Errors: internal when libtorrent throws,
  // unavailable when the listen interfaces cannot be opened.
  static Result<std::unique_ptr<SwarmSession>> start(const SwarmNodeOptions& options, int socket_buffer_cap_bytes,
                                                     const Clock& clock, const std::vector<IpSubnet>& lan,
                                                     const std::map<std::string, int64_t>& bans);
  ~SwarmSession() { stop(); }
  SwarmSession(const SwarmSession&) = delete;
  SwarmSession& operator=(const SwarmSession&) = delete;

  libtorrent::session& lt() { return *ses_; }
  const std::shared_ptr<PacerHub>& pacer() const { return pacer_; }
  const std::shared_ptr<CertGuardHub>& cert_guard() const { return guard_; }
  // The TLS port of a secure node, the plain one of an insecure node.
  uint16_t listen_port() const { return tls_ ? ses_->ssl_listen_port() : ses_->listen_port(); }

  // Waits up to timeout_ms for alerts and returns them; valid until the next call.
  std::vector<libtorrent::alert*> pop_alerts(int timeout_ms);

  // Every address is WAN but the LAN subnets (new connections), and the pacer
  // leaves LAN peers alone.
  void set_lan(const std::vector<IpSubnet>& lan);
  // Blocks every address of `bans` (ip -> banned at) in both directions.
  void set_bans(const std::map<std::string, int64_t>& bans);
  // bytes/s, 0 = unlimited; applies to live connections.
  void set_wan_limits(int64_t down, int64_t up) { set_class_limits(wan_class_, down, up); }
  void set_lan_limits(int64_t down, int64_t up) { set_class_limits(lan_class_, down, up); }
  // DSCP of peer packets (SwarmNodeOptions::peer_dscp): the listen and uTP
  // sockets at once, peer connections made from now on.
  void set_peer_dscp(int dscp);

  // Idempotent. After it, only the destructor may be called.
  void stop();

 private:
  SwarmSession() = default;
  void set_up_classes(const SwarmNodeOptions& options, const std::vector<IpSubnet>& lan);
  Status wait_for_listen(const std::string& listen_interfaces);
  void set_class_limits(libtorrent::peer_class_t c, int64_t down, int64_t up);

  // libtorrent's network thread runs our io_context, so the request pacer's
  // timer runs on it too.
  std::unique_ptr<boost::asio::io_context> ios_;
  std::thread net_thread_;
  std::shared_ptr<PacerHub> pacer_;
  std::shared_ptr<CertGuardHub> guard_;
  bool tls_ = true;  // !SwarmNodeOptions::insecure_plain_peers
  std::unique_ptr<libtorrent::session> ses_;
  libtorrent::peer_class_t lan_class_{};
  libtorrent::peer_class_t wan_class_{};
  bool stopped_ = false;
};

}  // namespace bc
