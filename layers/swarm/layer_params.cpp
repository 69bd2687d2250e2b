#include "layers/swarm/layer_params.hpp"

#include <libtorrent/read_resume_data.hpp>
#include <libtorrent/torrent_info.hpp>

#include <filesystem>

namespace bc {

namespace lt = libtorrent;
namespace fs = std::filesystem;

namespace {

// The saved resume data when it parses, else fresh parameters.
lt::add_torrent_params from_resume(std::string_view resume_data) {
  if (resume_data.empty()) return {};
  lt::error_code ec;
  lt::add_torrent_params atp = lt::read_resume_data({resume_data.data(), long(resume_data.size())}, ec);
  return ec ? lt::add_torrent_params() : atp;
}

std::string absolute(const std::string& dir) { return fs::absolute(dir).lexically_normal().string(); }

// Every file at its manifest path; bins kept outside the payload directory (a
// built layer's DIR/pack) by absolute path, which libtorrent stores as given.
void map_files(lt::add_torrent_params& atp, const TorrentFacts& facts, const std::string& bins_dir) {
  const lt::file_storage& orig = atp.ti->orig_files();
  const std::string abs_bins = bins_dir.empty() ? std::string() : absolute(bins_dir);
  atp.renamed_files.clear();
  for (auto i : orig.file_range()) {
    if (orig.pad_file_at(i)) continue;
    std::string path = facts.manifest_path(orig.file_path(i));
    if (!abs_bins.empty() && is_reserved_pack_path(path)) path = abs_bins + path.substr(kPackDirName.size());
    atp.renamed_files[i] = std::move(path);
  }
}

}  // namespace

Result<lt::add_torrent_params> make_layer_params(const LayerParamsInput& in) {
  lt::add_torrent_params atp = from_resume(in.resume_data);
  std::shared_ptr<lt::torrent_info> ti;
  try {
    ti = std::make_shared<lt::torrent_info>(lt::span<const char>(in.torrent_bytes.data(), long(in.torrent_bytes.size())),
                                            lt::from_span);
  } catch (const std::exception& e) {
    return Status::internal(std::string("libtorrent refused the torrent: ") + e.what());
  }
  if (atp.info_hashes.has_v2() && atp.info_hashes.v2 != ti->info_hashes().v2) atp = lt::add_torrent_params();
  atp.ti = std::move(ti);
  map_files(atp, *in.facts, in.bins_dir);
  atp.save_path = absolute(in.payload_dir);
  atp.trackers.clear();
  if (!in.announce_url.empty()) atp.trackers.push_back(in.announce_url);
  atp.url_seeds.clear();
  for (const std::string& base : in.web_seed_urls) atp.url_seeds.push_back(web_seed_url(base, in.facts->info_hash));
  for (const std::string& url : in.exact_web_seed_urls) atp.url_seeds.push_back(url);
  atp.flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused | lt::torrent_flags::seed_mode);
  atp.flags |= lt::torrent_flags::update_subscribe;
  if (in.mode == LayerMode::seed) atp.flags |= lt::torrent_flags::seed_mode;
  return atp;
}

std::string announce_url(const SwarmNodeOptions& o) {
  if (o.tracker_url.empty() || o.tracker_key.empty()) return o.tracker_url;
  const char* sep = o.tracker_url.find('?') == std::string::npos ? "?" : "&";
  return o.tracker_url + sep + o.tracker_key_param + "=" + o.tracker_key;
}

std::string web_seed_url(std::string base, const std::string& info_hash) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + info_hash + "/";
}

std::map<int, int> short_pieces(const lt::file_storage& files) {
  std::map<int, int> out;
  for (auto p : files.piece_range())
    if (files.piece_size2(p) < files.piece_length()) out[int(p)] = files.piece_size2(p);
  return out;
}

}  // namespace bc
