// SSL torrents (docs/security.md, "Data plane"): a layer torrent whose info
// dict carries the tracker CA's certificate under "ssl-cert". libtorrent then
// talks to the torrent's peers over TLS only and accepts a peer only when its
// certificate chains to that CA (and names the torrent; the swarm's
// peer-certificate guard makes that name check exact).
//
// The certificate is part of the info dict, so the info-hash changes; the
// file tree, piece layers and merkle roots do not: a manifest's file hashes
// stay valid, only its info_hash field follows the new torrent.
#pragma once

#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc {

// The torrent `torrent_bytes` (a v2-only layer torrent, at most
// kMaxTorrentBytes) with `ca_pem` (one PEM CA certificate) added to its info
// dict as "ssl-cert". Everything else is re-encoded unchanged (bencoding is
// canonical). Adding the certificate a torrent already carries returns the
// torrent as it is. Errors: invalid_argument when ca_pem is not a CA
// certificate or the torrent already carries a different one; corruption when
// the torrent does not parse or is not v2-only.
Result<std::string> make_ssl_torrent(const std::string& torrent_bytes, const std::string& ca_pem);

struct TorrentFacts;
// The DNS names a node certificate needs to take part in this torrent: its
// top directory ("NAME-vVERSION", which the swarm's certificate guard
// requires exactly), and for a single-file layer also the file's name, which
// is what libtorrent 2.0.8 matches certificates against (torrent_info::name();
// TorrentFacts::tls_name). Issuers put all of them in the certificate.
std::vector<std::string> ssl_torrent_cert_names(const TorrentFacts& facts);

}  // namespace bc
