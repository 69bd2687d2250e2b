// What a bundle carries for each torrent file: pure, torrents in, table out.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "layers/bundle/bundle_format.hpp"
#include "layers/torrent/layer_torrent.hpp"

namespace bc {

// One table entry per file of `layer` (in the torrent's path order):
//   held   when some parent has a file with the same merkle root;
//   pieces when the file is larger than a piece and some of its piece hashes
//          occur in a parent's files (same piece size): only the others;
//   whole  otherwise (and for every file when `parents` is empty).
//   assembled  when not held and its path is in `assembled` (files a holder
//          of the parents builds from held content: bc-layer diff's "bin
//          assembled from held files");
// data_bytes is set; pieces lists the carried piece indexes, ascending.
std::vector<BundleEntry> plan_bundle(const TorrentFacts& layer, const std::vector<const TorrentFacts*>& parents,
                                     const std::set<std::string>& assembled = {});

// Sum of data_bytes.
uint64_t bundle_data_bytes(const std::vector<BundleEntry>& table);

}  // namespace bc
