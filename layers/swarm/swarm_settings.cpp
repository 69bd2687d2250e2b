#include "layers/swarm/swarm_settings.hpp"

#include <libtorrent/alert.hpp>

#include <libtorrent/address.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

namespace bc {

namespace lt = libtorrent;

namespace {
// The items of a comma-separated listen_interfaces value, empty ones dropped.
std::vector<std::string> list_items(const std::string& list) {
  std::vector<std::string> items;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    if (comma > pos) items.push_back(list.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return items;
}
}  // namespace

std::string outgoing_from_listen(const std::string& listen_interfaces) {
  std::string out;
  for (const std::string& item : list_items(listen_interfaces)) {
    // Strip the port: "[v6]:port" or "v4:port".
    std::string host;
    if (item.front() == '[') {
      size_t close = item.find(']');
      if (close == std::string::npos) continue;
      host = item.substr(1, close - 1);
    } else {
      size_t colon = item.rfind(':');
      host = item.substr(0, colon == std::string::npos ? item.size() : colon);
    }
    lt::error_code ec;
    lt::address a = lt::make_address(host, ec);
    if (ec || a.is_unspecified()) continue;  // a device name or a wildcard
    if (!out.empty()) out += ',';
    out += a.to_string();
  }
  return out;
}

std::string tls_listen_interfaces(const std::string& listen_interfaces) {
  std::string out;
  for (std::string item : list_items(listen_interfaces)) {
    // Flags follow the port: "IP:PORT[l][s]".
    const size_t colon = item.rfind(':');
    const std::string flags = colon == std::string::npos ? "" : item.substr(colon + 1);
    if (flags.find('s') == std::string::npos) item += 's';
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

int peer_dscp_setting(int dscp) { return (std::clamp(dscp, 0, 63) << 2) & 0xfc; }

lt::settings_pack make_swarm_settings(const SwarmNodeOptions& o, int socket_buffer_cap_bytes) {
  using sp = lt::settings_pack;
  lt::settings_pack s;
  s.set_str(sp::listen_interfaces,
            o.insecure_plain_peers ? o.listen_interfaces : tls_listen_interfaces(o.listen_interfaces));
  s.set_str(sp::outgoing_interfaces,
            o.outgoing_interfaces.empty() ? outgoing_from_listen(o.listen_interfaces) : o.outgoing_interfaces);
  s.set_str(sp::user_agent, "branchcast/0.1");
  // Private swarms: the tracker alone says who is a peer.
  s.set_bool(sp::enable_dht, false);
  s.set_bool(sp::enable_lsd, false);
  s.set_bool(sp::enable_upnp, false);
  s.set_bool(sp::enable_natpmp, false);
  s.set_bool(sp::enable_outgoing_utp, o.enable_utp && (o.outgoing_utp || !o.enable_tcp));
  s.set_bool(sp::enable_incoming_utp, o.enable_utp);
  s.set_bool(sp::enable_outgoing_tcp, o.enable_tcp);
  s.set_bool(sp::enable_incoming_tcp, o.enable_tcp);
  const int buf = std::min(o.socket_buffer_bytes, std::max(socket_buffer_cap_bytes, 64 * 1024));
  s.set_int(sp::recv_socket_buffer_size, buf);
  s.set_int(sp::send_socket_buffer_size, buf);
  s.set_int(sp::tick_interval, o.limiter_tick_ms);
  s.set_int(sp::connections_limit, o.connections_limit);
  s.set_int(sp::unchoke_slots_limit, o.unchoke_slots);
  s.set_int(sp::choking_algorithm, sp::fixed_slots_choker);
  s.set_int(sp::alert_queue_size, o.alert_queue_size);
  // libtorrent's peer_dscp is the whole TOS byte (it masks 0xfc): DSCP << 2.
  s.set_int(sp::peer_dscp, peer_dscp_setting(o.peer_dscp));
  s.set_int(sp::alert_mask, int(static_cast<std::uint32_t>(
      lt::alert_category::error | lt::alert_category::status | lt::alert_category::storage |
      lt::alert_category::tracker | lt::alert_category::peer | lt::alert_category::piece_progress |
      (std::getenv("BC_SWARM_TRACE") ? lt::alert_category::connect : lt::alert_category_t{}))));
  // Several endpoints may sit behind one address (NAT in a branch).
  s.set_bool(sp::allow_multiple_connections_per_ip, true);
  // Keep connections to peers that have nothing for us right now: in a
  // branch the reflector is still fetching what endpoints need, and a closed
  // connection hears no HAVE; libtorrent would redial it only after
  // min_reconnect_time (60 s by default). Measured on the emulated WAN:
  // endpoints sat at 98.4% with 0 peers for ~60 s while the reflector held
  // everything.
  s.set_bool(sp::close_redundant_connections, false);
  s.set_int(sp::min_reconnect_time, 5);
  s.set_bool(sp::announce_to_all_tiers, true);
  // An SSL torrent's https announce is checked against the torrent's root
  // certificate (the tracker's CA) and the host name, whatever this says;
  // the setting covers the session's own TLS context, which only plain
  // torrents use. Those exist only on an insecure_plain_peers node, whose
  // https tracker the system's CA store cannot check (it does not hold the
  // tracker's own CA): there the announce is encrypted but unchecked.
  s.set_bool(sp::validate_https_trackers, !o.insecure_plain_peers);
  s.set_bool(sp::announce_to_all_trackers, true);
  s.set_int(sp::min_announce_interval, o.min_announce_interval_s);
  s.set_int(sp::stop_tracker_timeout, 2);
  s.set_bool(sp::ban_web_seeds, true);
  // Checks (after a crash, or of pre-seeded files) use both cores.
  s.set_int(sp::hashing_threads, 2);
  return s;
}

}  // namespace bc
