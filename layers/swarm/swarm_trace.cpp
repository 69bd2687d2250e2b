#include "layers/swarm/swarm_trace.hpp"

#include <libtorrent/alert_types.hpp>
#include <libtorrent/peer_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace bc {

namespace lt = libtorrent;

std::string peer_ip(const lt::tcp::endpoint& ep) {
  auto a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  return a.to_string();
}

bool swarm_trace_on() {
  static const bool on = [] {
    const char* v = std::getenv("BC_SWARM_TRACE");
    return v && *v && *v != '0';
  }();
  return on;
}

void trace_starved_peers(const std::string& layer, const lt::torrent_handle& h, int64_t starved_ms) {
  std::vector<lt::peer_info> peers;
  h.get_peer_info(peers);
  lt::torrent_status st = h.status();
  std::fprintf(stderr, "swarm-trace %s starved %lld ms, %.1f%%, %zu peers\n", layer.c_str(),
               static_cast<long long>(starved_ms), st.progress * 100.0, peers.size());
  for (const auto& p : peers) {
    std::fprintf(stderr,
                 "swarm-trace   %s %s%s choked=%d interested=%d seed=%d queue=%d reqs=%d rtt=%d down=%lld pieces=%d\n",
                 peer_ip(p.ip).c_str(), (p.flags & lt::peer_info::utp_socket) ? "utp" : "tcp",
                 (p.flags & lt::peer_info::snubbed) ? " snubbed" : "",
                 bool(p.flags & lt::peer_info::choked), bool(p.flags & lt::peer_info::interesting),
                 bool(p.flags & lt::peer_info::seed), p.download_queue_length, p.requests_in_buffer, p.rtt,
                 static_cast<long long>(p.total_download), p.num_pieces);
  }
}

void trace_alert(const lt::alert* a) {
  if (!swarm_trace_on()) return;
  switch (a->type()) {
    case lt::peer_disconnected_alert::alert_type:
    case lt::peer_connect_alert::alert_type:
    case lt::peer_error_alert::alert_type:
      std::fprintf(stderr, "swarm-trace %s\n", a->message().c_str());
      break;
    default:
      break;
  }
}

}  // namespace bc
