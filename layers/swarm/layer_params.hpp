// The pure half of SwarmNode::add_layer: a layer's libtorrent add parameters
// from its torrent, saved resume data and the node's settings. No session,
// no files read (the caller reads the resume file), so a test checks every
// field without starting libtorrent.
//
// What it decides:
//  - resume data: used when it parses and is of this torrent (same v2
//    info-hash); otherwise ignored, and libtorrent checks the files.
//  - renamed_files: every file at its manifest path under the payload
//    directory, undoing libtorrent's renames (the top directory, a single-file
//    layer, case-insensitive collisions); bins of packed files (".bc-pack/<i>")
//    at bins_dir/<i> by absolute path when bins_dir is given.
//  - save_path: the payload directory, absolute.
//  - trackers: the one announce URL (none when empty); url_seeds: one per web
//    seed base, "<base>/<info_hash>/" (BEP 19: libtorrent appends the path),
//    then the exact (tokenized) URLs as given.
//  - flags: never auto-managed or paused; update_subscribe (state updates);
//    seed_mode for LayerMode::seed (libtorrent hashes each piece on first
//    upload), cleared for downloads whatever the resume data said.
// Extensions (the node's plugins) are the caller's to add.
#pragma once

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/file_storage.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "layers/swarm/swarm_node.hpp"
#include "layers/torrent/layer_torrent.hpp"

namespace bc {

inline constexpr size_t kMaxResumeBytes = 64u << 20;

struct LayerParamsInput {
  std::string_view torrent_bytes;  // the layer's torrent, already checked against its manifest
  const TorrentFacts* facts = nullptr;  // read_layer_torrent(torrent_bytes); REQUIRED
  std::string_view resume_data;    // saved resume data; empty = none
  std::string payload_dir;         // relative paths are made absolute
  std::string bins_dir;            // empty = the payload directory's .bc-pack
  LayerMode mode = LayerMode::download;
  std::string announce_url;        // empty = no tracker
  std::vector<std::string> web_seed_urls;  // validated http(s) bases
  std::vector<std::string> exact_web_seed_urls;  // validated URLs used as given (tokenized, per layer)
};

// Errors: internal when libtorrent refuses the torrent bytes.
Result<libtorrent::add_torrent_params> make_layer_params(const LayerParamsInput& in);

// "URL?key=K" (or "&key=K" when the URL has a query already); the URL alone
// without a key; "" without a tracker.
std::string announce_url(const SwarmNodeOptions& o);
// "<base>/<info_hash>/", trailing slashes of base dropped.
std::string web_seed_url(std::string base, const std::string& info_hash);
// The pieces shorter than the piece size (a v2 file's last piece) -> size.
std::map<int, int> short_pieces(const libtorrent::file_storage& files);

}  // namespace bc
