#include "layers/swarm/swarm_node.hpp"

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/ip_filter.hpp>
#include <libtorrent/peer_class.hpp>
#include <libtorrent/read_resume_data.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "layers/swarm/swarm_node_impl.hpp"
#include "layers/swarm/swarm_settings.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "layers/util/fs.hpp"

namespace bc {

namespace lt = libtorrent;
namespace fs = std::filesystem;

namespace {

constexpr int kShutdownSaveWaitMs = 10'000;  // bound on the resume save at destruction
constexpr size_t kMaxResumeBytes = 64u << 20;

int read_proc_int(const char* path, int fallback) {
  std::ifstream in(path);
  long v = 0;
  if (in >> v && v > 0) return int(std::min<long>(v, INT32_MAX));
  return fallback;
}

Result<SourceClassifier> make_classifier(const std::vector<std::string>& subnets,
                                         const std::vector<std::string>& reflectors) {
  std::vector<IpSubnet> lan;
  for (const auto& s : subnets) {
    BC_ASSIGN_OR_RETURN(IpSubnet n, IpSubnet::parse(s));
    lan.push_back(n);
  }
  std::set<boost::asio::ip::address> refl;
  for (const auto& r : reflectors) {
    BC_ASSIGN_OR_RETURN(auto a, parse_ip(r));
    refl.insert(a);
  }
  return SourceClassifier(std::move(lan), std::move(refl));
}

// "URL?key=K" (or "&key=K" when the URL has a query already).
// BEP 19: a url seed ending in '/' gets the torrent's name and file path
// appended by libtorrent.
std::string web_seed_url(std::string base, const std::string& info_hash) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + info_hash + "/";
}

std::string announce_url(const SwarmNodeOptions& o) {
  if (o.tracker_key.empty()) return o.tracker_url;
  const char* sep = o.tracker_url.find('?') == std::string::npos ? "?" : "&";
  return o.tracker_url + sep + o.tracker_key_param + "=" + o.tracker_key;
}

// The torrent, plus the saved resume data at `resume_path` (if given, present,
// readable and of this torrent).
Result<lt::add_torrent_params> base_params(std::string_view torrent_bytes, const std::string& resume_path) {
  lt::add_torrent_params atp;
  if (!resume_path.empty()) {
    auto saved = read_small_file(resume_path, kMaxResumeBytes);
    lt::error_code ec;
    if (saved.ok()) atp = lt::read_resume_data({saved->data(), long(saved->size())}, ec);
    if (!saved.ok() || ec) atp = lt::add_torrent_params();
  }
  std::shared_ptr<lt::torrent_info> ti;
  try {
    ti = std::make_shared<lt::torrent_info>(lt::span<const char>(torrent_bytes.data(), long(torrent_bytes.size())),
                                            lt::from_span);
  } catch (const std::exception& e) {
    return Status::internal(std::string("libtorrent refused the torrent: ") + e.what());
  }
  if (atp.info_hashes.has_v2() && atp.info_hashes.v2 != ti->info_hashes().v2) atp = lt::add_torrent_params();
  atp.ti = std::move(ti);
  return atp;
}

}  // namespace

LayerState* SwarmNode::Impl::find(const lt::torrent_handle& h) {
  auto it = by_handle.find(h);
  return it == by_handle.end() ? nullptr : &layers.at(it->second);
}

LayerState* SwarmNode::Impl::find(const LayerRef& ref) {
  auto it = layers.find(ref.to_string());
  return it == layers.end() ? nullptr : &it->second;
}

BytesBySource SwarmNode::Impl::downloaded(const LayerState& l) const {
  BytesBySource b;
  std::lock_guard lock(l.tap->mu);
  for (const auto& [ip, n] : l.tap->bytes_by_ip) b[classifier.classify(ip)] += n;
  b.origin_wan += l.tap->overflow_bytes;
  return b;
}

SwarmNode::WanBytes SwarmNode::Impl::wan_bytes(const LayerState& l) const {
  SwarmNode::WanBytes w;
  std::lock_guard lock(l.tap->mu);
  for (const auto& [ip, n] : l.tap->bytes_by_ip)
    if (!classifier.is_lan(ip)) w.down += n;  // the peer class filter's rule: WAN = outside the subnets
  for (const auto& [ip, n] : l.tap->sent_by_ip)
    if (!classifier.is_lan(ip)) w.up += n;
  w.down += l.tap->overflow_bytes;  // as downloaded() does: unknown peers count as WAN
  w.up += l.tap->sent_overflow_bytes;
  return w;
}

uint64_t SwarmNode::Impl::verified_bytes(const LayerState& l, const lt::torrent_status& st) const {
  if (st.is_seeding) return uint64_t(st.total_wanted);
  uint64_t n = 0;
  for (int p = 0; p < st.pieces.size(); ++p) {
    if (!st.pieces.get_bit(lt::piece_index_t(p))) continue;
    auto it = l.tap->short_pieces.find(p);
    n += uint64_t(it == l.tap->short_pieces.end() ? l.piece_length : it->second);
  }
  return n;
}

// Every address is WAN except the LAN subnets. Replacing the whole filter also
// drops libtorrent's default "local" class for private ranges and loopback.
void SwarmNode::Impl::apply_class_filter() {
  const uint32_t global = 1u << static_cast<uint32_t>(lt::session::global_peer_class_id);
  const uint32_t wan = global | (1u << static_cast<uint32_t>(wan_class));
  const uint32_t lan = global | (1u << static_cast<uint32_t>(lan_class));
  lt::ip_filter f;
  f.add_rule(lt::make_address("0.0.0.0"), lt::make_address("255.255.255.255"), wan);
  f.add_rule(lt::make_address("::"), lt::make_address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), wan);
  for (const auto& s : classifier.lan()) f.add_rule(s.first(), s.last(), lan);
  ses->set_peer_class_filter(f);
}

void SwarmNode::Impl::add_suspect(const std::string& ip) {
  constexpr size_t kMaxSuspects = 256;
  if (suspects.count(ip) || suspects.size() >= kMaxSuspects) return;
  suspects.insert(ip);
  std::string text;
  for (const auto& s : suspects) text += s + "\n";
  (void)write_file_atomic(suspects_path, text, 0644);  // best effort: losing it loses only this safeguard
}

void SwarmNode::Impl::stop_session() {
  pacer->stop();
  lt::session_proxy proxy = ses->abort();
  ses.reset();
  // run() returns once the session's shutdown has finished its handlers;
  // bounded, so a handler that never completes cannot hang the node's exit.
  for (int i = 0; i < 200 && !ios->stopped(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ios->stop();
  if (net_thread.joinable()) net_thread.join();
}

void SwarmNode::Impl::apply_ban_filter() {
  lt::ip_filter f;
  for (const auto& [ip, at] : bans->entries()) {
    lt::error_code ec;
    lt::address a = lt::make_address(ip, ec);
    if (!ec) f.add_rule(a, a, lt::ip_filter::blocked);
  }
  ses->set_ip_filter(std::move(f));
}

void SwarmNode::Impl::set_class_limits(lt::peer_class_t c, int64_t down, int64_t up) {
  lt::peer_class_info info = ses->get_peer_class(c);
  info.download_limit = int(std::clamp<int64_t>(down, 0, INT32_MAX));
  info.upload_limit = int(std::clamp<int64_t>(up, 0, INT32_MAX));
  ses->set_peer_class(c, info);
}

Result<std::unique_ptr<SwarmNode>> SwarmNode::start(const SwarmNodeOptions& options) {
  BC_RETURN_IF_ERROR(options.validate());
  std::error_code ec;
  fs::create_directories(fs::path(options.data_dir) / "resume", ec);
  if (ec) return Status::io_error("swarm node: cannot create '" + printable(options.data_dir) + "': " + ec.message());
  std::unique_ptr<SwarmNode> node(new SwarmNode());
  node->impl_ = std::make_unique<Impl>();
  Impl& m = *node->impl_;
  m.options = options;
  m.marker_path = options.data_dir + "/running";
  node->unclean_start_ = fs::exists(m.marker_path, ec);
  BC_RETURN_IF_ERROR(write_file_atomic(m.marker_path, std::to_string(::getpid()) + "\n", 0644));
  BC_ASSIGN_OR_RETURN(m.classifier, make_classifier(options.lan_subnets, options.reflector_ips));
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  BC_ASSIGN_OR_RETURN(BanList bans, BanList::load(options.data_dir + "/banned-peers", now_s, options.ban_ttl_s));
  m.bans.emplace(std::move(bans));
  m.suspects_path = options.data_dir + "/suspect-peers";
  if (node->unclean_start_) {
    auto text = read_small_file(m.suspects_path, 64 * 1024);
    std::istringstream lines(text.ok() ? *text : std::string());
    for (std::string ip; std::getline(lines, ip) && m.crash_bans.size() < 256;) {
      if (!parse_ip(ip).ok()) continue;  // a torn line
      (void)m.bans->add(ip, now_s);
      m.crash_bans.push_back(ip);
    }
  }
  fs::remove(m.suspects_path, ec);

  const int cap = std::min(read_proc_int("/proc/sys/net/core/rmem_max", 212992),
                           read_proc_int("/proc/sys/net/core/wmem_max", 212992));
  lt::session_params params(make_swarm_settings(options, cap));
  // No extensions: no ut_metadata (nodes always hold the torrent), no PEX, and
  // no smart ban: in 2.0.8 it banned the honest seed that re-sent a piece a
  // liar had corrupted, in 7 of 8 runs of swarm_corrupt_peer_test (v2 layer;
  // with it gone, 6 of 6 pass). Bans come from libtorrent's trust points.
  params.extensions.clear();
  try {
    m.ios = std::make_unique<boost::asio::io_context>(1);
    m.pacer = PacerHub::create(*m.ios);
    m.pacer->set_lan(m.classifier.lan());
    m.ses = std::make_unique<lt::session>(std::move(params), *m.ios);
    m.net_thread = std::thread([ios = m.ios.get()] { ios->run(); });
    m.lan_class = m.ses->create_peer_class("lan");
    m.wan_class = m.ses->create_peer_class("wan");
    lt::peer_class_info lan = m.ses->get_peer_class(m.lan_class);
    lan.ignore_unchoke_slots = true;  // every LAN peer is served; slots ration the WAN
    m.ses->set_peer_class(m.lan_class, lan);
    m.set_class_limits(m.lan_class, options.lan_download_bytes_per_s, options.lan_upload_bytes_per_s);
    m.set_class_limits(m.wan_class, options.wan_download_bytes_per_s, options.wan_upload_bytes_per_s);
    m.apply_class_filter();
    m.apply_ban_filter();
  } catch (const std::exception& e) {
    if (m.ses) m.stop_session();
    else if (m.net_thread.joinable()) m.ios->stop(), m.net_thread.join();
    return Status::internal(std::string("swarm node: libtorrent session: ") + e.what());
  }
  // Wait (bounded) for the listen sockets so listen_port() is meaningful.
  for (int i = 0; i < 50 && m.ses->listen_port() == 0; ++i) {
    m.ses->wait_for_alert(lt::milliseconds(100));
    std::vector<lt::alert*> alerts;
    m.ses->pop_alerts(&alerts);
    for (lt::alert* a : alerts)
      if (auto* f = lt::alert_cast<lt::listen_failed_alert>(a))
        return Status::unavailable("swarm node: cannot listen on " + f->address.to_string() + ":" +
                                   std::to_string(f->port) + ": " + f->error.message());
  }
  if (m.ses->listen_port() == 0)
    return Status::unavailable("swarm node: no listen socket on '" + options.listen_interfaces + "'");
  return node;
}

SwarmNode::~SwarmNode() {
  if (!impl_ || !impl_->ses) return;
  Impl& m = *impl_;
  for (auto& [key, l] : m.layers)
    if (l.mode == LayerMode::download) m.request_resume(l);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kShutdownSaveWaitMs);
  std::vector<SwarmEvent> ignored;
  while (m.saves_pending() && std::chrono::steady_clock::now() < deadline) {
    m.ses->wait_for_alert(lt::milliseconds(100));
    std::vector<lt::alert*> alerts;
    m.ses->pop_alerts(&alerts);
    for (lt::alert* a : alerts) m.translate(a, ignored);
  }
  const bool saved = !m.saves_pending();
  m.stop_session();
  if (saved) {
    std::error_code ec;
    fs::remove(m.marker_path, ec);
    fs::remove(m.suspects_path, ec);
  }
}

uint16_t SwarmNode::listen_port() const { return impl_->ses->listen_port(); }

Status SwarmNode::add_layer(const TrustedManifest& layer, std::string_view torrent_bytes,
                            const std::string& payload_dir, LayerMode mode, const std::string& bins_dir) {
  Impl& m = *impl_;
  const Manifest& man = layer.manifest();
  const std::string key = man.ref().to_string();
  if (m.layers.count(key)) return Status::already_exists("layer " + key + " is already in the swarm node");
  BC_ASSIGN_OR_RETURN(TorrentFacts facts, read_layer_torrent(torrent_bytes));
  BC_RETURN_IF_ERROR(check_torrent_matches(man, facts).with_context("layer " + key));

  LayerState l;
  l.ref = man.ref();
  l.mode = mode;
  l.info_hash = facts.info_hash;
  l.resume_path = m.options.data_dir + "/resume/" + facts.info_hash + ".resume";
  l.tap = std::make_shared<PeerTapState>();
  // Resume data only after a clean previous run, where it is current
  // (libtorrent then checks file sizes only); otherwise the files are hashed.
  const bool use_resume = mode == LayerMode::download && !unclean_start_;
  auto base = base_params(torrent_bytes, use_resume ? l.resume_path : "");
  if (!base.ok()) return base.status().with_context("layer " + key);
  lt::add_torrent_params atp = std::move(*base);
  const lt::file_storage& files = atp.ti->files();
  // Undo libtorrent's renames (top directory, case-insensitive collisions):
  // the payload directory holds every file at its manifest path.
  const lt::file_storage& orig = atp.ti->orig_files();
  // Bins kept outside the payload directory (a built layer's DIR/pack) are
  // mapped by absolute path, which libtorrent stores as given.
  const std::string abs_bins =
      bins_dir.empty() ? std::string() : fs::absolute(bins_dir).lexically_normal().string();
  atp.renamed_files.clear();
  for (auto i : orig.file_range()) {
    if (orig.pad_file_at(i)) continue;
    std::string path = facts.manifest_path(orig.file_path(i));
    if (!abs_bins.empty() && is_reserved_pack_path(path))
      path = abs_bins + path.substr(kPackDirName.size());
    atp.renamed_files[i] = std::move(path);
  }
  l.piece_length = files.piece_length();
  for (auto p : files.piece_range())
    if (files.piece_size2(p) < files.piece_length()) l.tap->short_pieces[int(p)] = files.piece_size2(p);
  atp.save_path = fs::absolute(payload_dir).lexically_normal().string();
  atp.trackers.clear();
  if (!m.options.tracker_url.empty()) atp.trackers.push_back(announce_url(m.options));
  atp.url_seeds.clear();
  for (const std::string& base : m.options.web_seed_urls)
    atp.url_seeds.push_back(web_seed_url(base, facts.info_hash));
  atp.flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused | lt::torrent_flags::seed_mode);
  atp.flags |= lt::torrent_flags::update_subscribe;
  if (mode == LayerMode::seed) atp.flags |= lt::torrent_flags::seed_mode;
  auto tap = l.tap;
  atp.extensions.push_back([tap](const lt::torrent_handle&, lt::client_data_t) { return make_peer_tap(tap); });
  atp.extensions.push_back([hub = impl_->pacer](const lt::torrent_handle&, lt::client_data_t) {
    return hub->torrent_plugin();
  });
  lt::error_code ec;
  l.handle = m.ses->add_torrent(std::move(atp), ec);
  if (ec) return Status::internal("layer " + key + ": libtorrent add_torrent: " + ec.message());
  l.last_save = std::chrono::steady_clock::now();
  m.by_handle[l.handle] = key;
  m.layers.emplace(key, std::move(l));
  return Status();
}

Status SwarmNode::remove_layer(const LayerRef& ref) {
  Impl& m = *impl_;
  LayerState* l = m.find(ref);
  if (!l) return Status::not_found("layer " + ref.to_string() + " is not in the swarm node");
  const WanBytes w = m.wan_bytes(*l);
  m.retired_wan.down += w.down;
  m.retired_wan.up += w.up;
  m.ses->remove_torrent(l->handle);
  m.by_handle.erase(l->handle);
  m.layers.erase(ref.to_string());
  return Status();
}

Status SwarmNode::force_recheck(const LayerRef& ref) {
  LayerState* l = impl_->find(ref);
  if (!l) return Status::not_found("layer " + ref.to_string() + " is not in the swarm node");
  l->checked = false;
  l->complete_reported = false;
  l->handle.force_recheck();
  return Status();
}

void SwarmNode::Impl::connect(LayerState& l, const lt::tcp::endpoint& ep) {
  // The transport follows options.outgoing_utp: libtorrent has no per-peer choice.
  l.handle.connect_peer(ep);
}

Status SwarmNode::add_peer(const LayerRef& ref, const std::string& ip, uint16_t port) {
  LayerState* l = impl_->find(ref);
  if (!l) return Status::not_found("layer " + ref.to_string() + " is not in the swarm node");
  BC_ASSIGN_OR_RETURN(auto addr, parse_ip(ip));
  if (port == 0) return Status::invalid_argument("peer port 0");
  lt::tcp::endpoint ep(addr, port);
  if (l->checked) impl_->connect(*l, ep);
  else if (l->pending_peers.size() < kMaxPendingPeersPerLayer) l->pending_peers.push_back(ep);
  else return Status::unavailable("too many peers pending for layer " + ref.to_string());
  return Status();
}

Status SwarmNode::set_lan(const std::vector<std::string>& subnets, const std::vector<std::string>& reflector_ips) {
  BC_ASSIGN_OR_RETURN(impl_->classifier, make_classifier(subnets, reflector_ips));
  impl_->pacer->set_lan(impl_->classifier.lan());
  impl_->apply_class_filter();
  return Status();
}

Status SwarmNode::set_web_seeds(const std::vector<std::string>& base_urls) {
  SwarmNodeOptions o = impl_->options;
  o.web_seed_urls = base_urls;
  BC_RETURN_IF_ERROR(o.validate());
  impl_->options.web_seed_urls = base_urls;
  return Status();
}

void SwarmNode::set_wan_limits(int64_t down, int64_t up) { impl_->set_class_limits(impl_->wan_class, down, up); }
SwarmNode::WanBytes SwarmNode::wan_bytes() const {
  WanBytes total = impl_->retired_wan;
  for (const auto& [key, l] : impl_->layers) {
    const WanBytes w = impl_->wan_bytes(l);
    total.down += w.down;
    total.up += w.up;
  }
  return total;
}

void SwarmNode::set_wan_request_pace(int64_t rate_bytes_per_s, int64_t window_bytes) {
  impl_->pacer->set_pace(rate_bytes_per_s, window_bytes);
}

void SwarmNode::set_lan_limits(int64_t down, int64_t up) { impl_->set_class_limits(impl_->lan_class, down, up); }

Result<SwarmLayerStatus> SwarmNode::layer_status(const LayerRef& ref) {
  LayerState* l = impl_->find(ref);
  if (!l) return Status::not_found("layer " + ref.to_string() + " is not in the swarm node");
  lt::torrent_status st = l->handle.status(lt::torrent_handle::query_pieces);
  SwarmLayerStatus s;
  s.layer = l->ref;
  s.mode = l->mode;
  s.checking = st.state == lt::torrent_status::checking_files || st.state == lt::torrent_status::checking_resume_data;
  s.complete = st.is_seeding;
  s.done_bytes = impl_->verified_bytes(*l, st);
  s.total_bytes = uint64_t(st.total_wanted);
  s.download_bytes_per_s = st.download_payload_rate;
  s.upload_bytes_per_s = st.upload_payload_rate;
  s.peers = st.num_peers;
  s.downloaded = impl_->downloaded(*l);
  s.uploaded_bytes = uint64_t(st.all_time_upload);
  s.wire_uploaded_bytes = uint64_t(st.total_upload);
  s.wire_downloaded_bytes = uint64_t(st.total_download);
  return s;
}

std::vector<LayerRef> SwarmNode::layers() const {
  std::vector<LayerRef> out;
  for (const auto& [k, l] : impl_->layers) out.push_back(l.ref);
  return out;
}

}  // namespace bc
