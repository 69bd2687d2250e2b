#include "layers/torrent/ssl_torrent.hpp"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/entry.hpp>

#include <iterator>

#include "layers/model/manifest.hpp"

namespace bc {

namespace lt = libtorrent;

namespace {
Result<lt::bdecode_node> decode(std::string_view bytes) {
  if (bytes.size() > kMaxTorrentBytes) return Status::invalid_argument("torrent is larger than kMaxTorrentBytes");
  lt::error_code ec;
  int pos = 0;
  lt::bdecode_node n = lt::bdecode({bytes.data(), static_cast<std::ptrdiff_t>(bytes.size())}, ec, &pos,
                                   100, int(kMaxTorrentBytes / 4));
  if (ec) return Status::invalid_argument("torrent does not decode: " + ec.message());
  if (n.type() != lt::bdecode_node::dict_t || n.dict_find_dict("info").type() != lt::bdecode_node::dict_t)
    return Status::invalid_argument("torrent has no info dictionary");
  return n;
}
}  // namespace

Result<std::string> make_ssl_torrent(const std::string& torrent_bytes, const std::string& ca_pem) {
  if (ca_pem.empty()) return Status::invalid_argument("ssl torrent: the CA certificate is empty");
  if (ca_pem.size() > kMaxSslCertBytes) return Status::invalid_argument("ssl torrent: the CA certificate is too large");
  BC_ASSIGN_OR_RETURN(lt::bdecode_node n, decode(torrent_bytes));
  // entry keeps dictionaries sorted, so the re-encoded info dict is
  // canonical bencode (the info-hash is over these bytes).
  lt::entry e(n);
  e["info"]["ssl-cert"] = ca_pem;
  std::string out;
  lt::bencode(std::back_inserter(out), e);
  return out;
}

Result<std::string> torrent_ssl_cert(std::string_view torrent_bytes) {
  BC_ASSIGN_OR_RETURN(lt::bdecode_node n, decode(torrent_bytes));
  return std::string(n.dict_find_dict("info").dict_find_string_value("ssl-cert"));
}

}  // namespace bc
