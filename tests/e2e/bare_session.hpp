// A bare libtorrent session for e2e test instruments (a hostile insider, a
// stranger, a probe): TLS listen socket on `ip` (SSL torrents need one), no
// DHT, LSD, UPnP or NAT-PMP, no alerts. Not the product's settings: a test's
// own client, so a test can do what our nodes never would.
#pragma once

#include <libtorrent/settings_pack.hpp>

#include <string>

namespace bc::test {

inline libtorrent::settings_pack bare_session_settings(const std::string& ip) {
  namespace lt = libtorrent;
  lt::settings_pack s;
  s.set_str(lt::settings_pack::listen_interfaces, ip + ":0s");
  s.set_str(lt::settings_pack::outgoing_interfaces, ip);
  s.set_bool(lt::settings_pack::enable_dht, false);
  s.set_bool(lt::settings_pack::enable_lsd, false);
  s.set_bool(lt::settings_pack::enable_upnp, false);
  s.set_bool(lt::settings_pack::enable_natpmp, false);
  s.set_int(lt::settings_pack::alert_mask, 0);
  return s;
}

}  // namespace bc::test
