// What a peer's TLS certificate says, read from a live libtorrent connection
// of an SSL torrent, and the name rule of the peer-certificate guard
// (layers/swarm/cert_guard.hpp).
//
// libtorrent 2.0.8 has no public way to see a peer's certificate: the
// connection's socket (peer_connection::get_socket(), an aux::socket_type
// variant in the installed headers) holds an ssl_stream<...> whose handle()
// is OpenSSL's SSL*. We read the certificate the handshake verified from it.
// Network thread only (the connection's).
#pragma once

#include <libtorrent/peer_connection_handle.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc {

struct PeerCert {
  std::string serial_hex;              // lower-case hex of whole bytes, as pki::inspect prints it
  std::vector<std::string> dns_names;  // subjectAltName DNS entries
  int64_t not_after_unix = 0;
};

// The certificate the peer presented in the TLS handshake. Errors:
// unsupported when the connection is not TLS, not_found when the peer sent
// no certificate (or the connection is gone), corruption when it does not
// parse. REQUIRES: the TLS handshake is done (libtorrent's BT handshake has
// been received) and the caller runs on libtorrent's network thread.
Result<PeerCert> read_peer_cert(const libtorrent::peer_connection_handle& pc);

// True when one of `dns_names` is exactly `torrent_name` or "*". libtorrent
// 2.0.8's own check compares only the certificate name's length of the
// torrent name (strncmp), so "base-v1" would pass for "base-v12"; and it
// falls back to the common name, which here is the node id, not a grant.
bool cert_names_cover(const std::vector<std::string>& dns_names, const std::string& torrent_name);

}  // namespace bc
