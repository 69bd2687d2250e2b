#include "layers/torrent/ssl_torrent.hpp"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/entry.hpp>

#include "layers/pki/pki.hpp"
#include "layers/torrent/layer_torrent.hpp"

namespace bc {

namespace lt = libtorrent;

namespace {

// libtorrent keeps the PEM text as it is in the info dict and hands it to
// OpenSSL as the trust anchor: one certificate, no trailing junk.
Status check_ca(const std::string& ca_pem) {
  auto info = pki::inspect(ca_pem);
  if (!info.ok()) return Status::invalid_argument("ssl torrent: the CA certificate does not parse: " + info.status().message());
  if (!info->is_ca) return Status::invalid_argument("ssl torrent: certificate '" + info->common_name + "' is not a CA certificate");
  return Status();
}

}  // namespace

Result<std::string> make_ssl_torrent(const std::string& torrent_bytes, const std::string& ca_pem) {
  BC_RETURN_IF_ERROR(check_ca(ca_pem));
  // read_layer_torrent checks the size, that it parses within our limits and is v2-only.
  BC_ASSIGN_OR_RETURN(TorrentFacts facts, read_layer_torrent(torrent_bytes));
  if (facts.ssl_cert == ca_pem) return torrent_bytes;
  if (!facts.ssl_cert.empty())
    return Status::invalid_argument("ssl torrent: layer torrent '" + facts.top_dir +
                                    "' already carries another CA certificate; publish it from its plain torrent");
  lt::error_code ec;
  int pos = 0;
  lt::bdecode_node root = lt::bdecode(lt::span<const char>(torrent_bytes.data(), long(torrent_bytes.size())), ec,
                                      &pos, 100, int(kMaxTorrentBytes / 4));
  if (ec || root.type() != lt::bdecode_node::dict_t)
    return Status::corruption("ssl torrent: torrent does not decode at byte " + std::to_string(pos));
  lt::entry e(root);
  e["info"]["ssl-cert"] = ca_pem;
  std::string out;
  lt::bencode(std::back_inserter(out), e);
  if (out.size() > kMaxTorrentBytes)
    return Status::invalid_argument("ssl torrent: '" + facts.top_dir + "' with its certificate exceeds 64 MiB");
  return out;
}

std::vector<std::string> ssl_torrent_cert_names(const TorrentFacts& facts) {
  std::vector<std::string> names{facts.top_dir};
  if (!facts.tls_name.empty() && facts.tls_name != facts.top_dir) names.push_back(facts.tls_name);
  return names;
}

}  // namespace bc
