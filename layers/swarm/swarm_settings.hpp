// The libtorrent settings a swarm node runs with (internal to layers/swarm).
// docs/architecture.md ("Swarm node") says why each is chosen.
#pragma once

#include <libtorrent/settings_pack.hpp>

#include "layers/swarm/swarm_options.hpp"

namespace bc {

// `socket_buffer_cap_bytes`: the kernel's cap (net.core.rmem_max), read by
// the caller; the options' buffer size is clamped to it.
libtorrent::settings_pack make_swarm_settings(const SwarmNodeOptions& o, int socket_buffer_cap_bytes);

// The specific IP addresses named in a listen_interfaces string
// ("127.1.0.5:0,[::1]:6881" -> "127.1.0.5,::1"), skipping wildcard addresses
// (0.0.0.0, ::) and device names: the default outgoing_interfaces, so a node
// bound to one address of several dials from it.
std::string outgoing_from_listen(const std::string& listen_interfaces);

}  // namespace bc
