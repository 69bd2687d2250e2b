// The libtorrent settings a swarm node runs with (internal to layers/swarm).
// docs/architecture.md ("Swarm node") says why each is chosen.
#pragma once

#include <libtorrent/settings_pack.hpp>

#include "layers/swarm/swarm_options.hpp"

namespace bc {

// `socket_buffer_cap_bytes`: the kernel's cap (net.core.rmem_max), read by
// the caller; the options' buffer size is clamped to it.
libtorrent::settings_pack make_swarm_settings(const SwarmNodeOptions& o, int socket_buffer_cap_bytes);

// libtorrent's peer_dscp value for a DSCP code point: in 2.0.8 the setting
// is the TOS byte (set_traffic_class masks it with 0xfc), so DSCP 1 (LE) is
// 0x04, its default. Out-of-range code points are clamped to [0, 63].
int peer_dscp_setting(int dscp);

// The specific IP addresses named in a listen_interfaces string
// ("127.1.0.5:0,[::1]:6881" -> "127.1.0.5,::1"), skipping wildcard addresses
// (0.0.0.0, ::) and device names: the default outgoing_interfaces, so a node
// bound to one address of several dials from it.
std::string outgoing_from_listen(const std::string& listen_interfaces);

// listen_interfaces with libtorrent's TLS flag "s" on every item that lacks
// it ("0.0.0.0:6881,[::]:0s" -> "0.0.0.0:6881s,[::]:0s"): a secure node
// opens TLS sockets only, for TCP and uTP alike.
std::string tls_listen_interfaces(const std::string& listen_interfaces);

}  // namespace bc
