// The seam to libtorrent for layer torrents: building the private, v2-only
// torrent of a layer from its manifest and hashes, and reading one back. The
// rest of the code sees manifests and digests, never libtorrent types.
//
// File layout inside the torrent: "<name>-v<version>/<path>" for every
// file of Manifest::payload_files(): each unpacked regular file at its
// manifest path and each bin of packed files at ".bc-pack/<i>"
// (libtorrent's canonical order, pad files skipped). Nodes map the top directory away when they add the torrent, so a
// layer's payload directory holds its files at their manifest paths.
// Two libtorrent behaviours a node adding the torrent must undo (set
// add_torrent_params::renamed_files from the manifest): names that collide
// case-insensitively are renamed on load ("d/f" beside "D/f" becomes
// "d/f.1"), and a layer whose only file is at its top level loads as a
// single-file torrent (TorrentFacts::single_file). TorrentFacts reports the
// paths as written, i.e. the manifest's.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "layers/model/manifest.hpp"

namespace bc {

std::string torrent_top_dir(const LayerRef& ref);

// Builds the torrent. `hashes` is parallel to m.payload_files(). Returns the bencoded bytes; writes the v2 info-hash (hex)
// into *info_hash.
Result<std::string> make_layer_torrent(const Manifest& m, const std::vector<FileHashes>& hashes,
                                       std::string* info_hash);

struct TorrentFile {
  uint64_t size = 0;
  Sha256Digest root{};
  std::vector<Sha256Digest> pieces;  // piece layer; empty for files within one piece
};

struct TorrentFacts {
  std::string info_hash;  // v2, hex
  uint32_t piece_size = 0;
  bool is_private = false;
  std::string top_dir;     // the info dict's name: "<name>-v<version>"
  // True when the layer's only regular file sits at its top level: libtorrent
  // then reads the torrent as a single-file torrent and stores that file at
  // the top of the save path, without the top directory.
  bool single_file = false;
  std::map<std::string, TorrentFile> files;  // by payload path (manifest path, or a bin's)
  // An SSL torrent's CA certificate (the info dict's "ssl-cert", PEM);
  // empty for a plain torrent (layers/torrent/ssl_torrent.hpp).
  std::string ssl_cert;
  // The name libtorrent matches peer certificates against: top_dir, or for a
  // single-file torrent that file's name (libtorrent's torrent_info::name()).
  std::string tls_name;

  // The manifest path of a file as the torrent states it (orig_files(), not
  // libtorrent's renamed view).
  std::string manifest_path(std::string_view torrent_path) const;
};

// Parses and checks a torrent: v2 only, private, at most kMaxTorrentBytes
// (layers/model/manifest.hpp). Never throws.
Result<TorrentFacts> read_layer_torrent(std::string_view bytes);

// OK when the torrent describes exactly the manifest's payload files
// (unpacked files and bins: paths, sizes, merkle roots), its piece size, and
// its info-hash is the manifest's.
Status check_torrent_matches(const Manifest& m, const TorrentFacts& t);

}  // namespace bc
