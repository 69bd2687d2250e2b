// SSL torrents (docs/security.md): a layer torrent whose info dict carries
// the tracker CA's certificate under "ssl-cert". libtorrent then lets a peer
// connect to the torrent only over TLS with a certificate that CA signed and
// that names the torrent. The certificate is part of the info dict, so the
// info-hash changes; the files, the piece size and every merkle root do not.
#pragma once

#include <string>
#include <string_view>

#include "layers/util/status.hpp"

namespace bc {

inline constexpr size_t kMaxSslCertBytes = 16 * 1024;  // a CA certificate PEM; one is ~700 bytes

// The .torrent bytes with `ca_pem` set as the info dict's "ssl-cert"
// (replacing any earlier one). invalid_argument for a torrent that does not
// decode or has no info dict, or an empty or oversized PEM.
Result<std::string> make_ssl_torrent(const std::string& torrent_bytes, const std::string& ca_pem);

// The info dict's "ssl-cert", "" for a plain torrent. invalid_argument when
// the bytes do not decode.
Result<std::string> torrent_ssl_cert(std::string_view torrent_bytes);

}  // namespace bc
