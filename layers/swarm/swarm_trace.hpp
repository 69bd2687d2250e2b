// Diagnosis of stalls on emulated WANs: with BC_SWARM_TRACE=1 in the
// environment, peer connections and, while a download is starved, every
// peer's state go to stderr. Off by default; nothing else changes. Also the
// one place an endpoint's address becomes our string form.
#pragma once

#include <libtorrent/alert.hpp>
#include <libtorrent/socket.hpp>
#include <libtorrent/torrent_handle.hpp>

#include <cstdint>
#include <string>

namespace bc {

// The peer's address as text, IPv4-mapped IPv6 shown as IPv4.
std::string peer_ip(const libtorrent::tcp::endpoint& ep);

bool swarm_trace_on();
// One line per connected peer of a starved layer. Only when swarm_trace_on().
void trace_starved_peers(const std::string& layer, const libtorrent::torrent_handle& h, int64_t starved_ms);
// Peer connects, disconnects and errors. Only when swarm_trace_on().
void trace_alert(const libtorrent::alert* a);

}  // namespace bc
