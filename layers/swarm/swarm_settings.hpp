// The libtorrent settings a swarm node runs with (internal to layers/swarm).
// docs/architecture.md ("Swarm node") says why each is chosen.
#pragma once

#include <libtorrent/settings_pack.hpp>

#include "layers/swarm/swarm_options.hpp"

namespace bc {

// `socket_buffer_cap_bytes`: the kernel's cap (net.core.rmem_max), read by
// the caller; the options' buffer size is clamped to it.
libtorrent::settings_pack make_swarm_settings(const SwarmNodeOptions& o, int socket_buffer_cap_bytes);

}  // namespace bc
