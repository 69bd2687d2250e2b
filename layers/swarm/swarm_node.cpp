#include "layers/swarm/swarm_node.hpp"

#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <algorithm>
#include <filesystem>

#include "layers/swarm/layer_params.hpp"
#include "layers/swarm/socket_buffer_cap.hpp"
#include "layers/swarm/swarm_node_impl.hpp"
#include "layers/util/fs.hpp"

namespace bc {

namespace lt = libtorrent;
namespace fs = std::filesystem;

namespace {

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

// A node stands on three parts made in order: its clock, the crash guard
// (marker, bans; an unclean start is known before any layer is added), then
// the session. A failure leaves the marker: the next start rechecks.
Result<std::unique_ptr<SwarmNode>> SwarmNode::start(const SwarmNodeOptions& options) {
  BC_RETURN_IF_ERROR(options.validate());
  std::error_code ec;
  fs::create_directories(fs::path(options.data_dir) / "resume", ec);
  if (ec) return Status::io_error("swarm node: cannot create '" + printable(options.data_dir) + "': " + ec.message());
  auto m = std::make_unique<Impl>();
  m->options = options;
  if (!options.clock) m->own_clock = std::make_unique<SystemClock>();
  m->clock = options.clock ? options.clock : m->own_clock.get();
  BC_ASSIGN_OR_RETURN(m->classifier, make_classifier(options.lan_subnets, options.reflector_ips));
  BC_ASSIGN_OR_RETURN(CrashGuard guard, CrashGuard::open(options.data_dir, options.ban_ttl_s, *m->clock));
  m->guard.emplace(std::move(guard));
  m->last_ban_expiry_ms = m->clock->now_ms();
  BC_ASSIGN_OR_RETURN(m->session, SwarmSession::start(options, socket_buffer_cap_bytes(), *m->clock,
                                                      m->classifier.lan(), m->guard->bans()));
  std::unique_ptr<SwarmNode> node(new SwarmNode());
  node->unclean_start_ = m->guard->unclean_start();
  node->impl_ = std::move(m);
  return node;
}

SwarmNode::~SwarmNode() {
  if (!impl_ || !impl_->session) return;
  const bool saved = impl_->save_all_resume();
  impl_->session->stop();
  if (saved) impl_->guard->mark_clean_stop();
}

uint16_t SwarmNode::listen_port() const { return impl_->session->listen_port(); }

Status SwarmNode::add_layer(const TrustedManifest& layer, std::string_view torrent_bytes,
                            const std::string& payload_dir, LayerMode mode, const std::string& bins_dir) {
  Impl& m = *impl_;
  const Manifest& man = layer.manifest();
  const std::string key = man.ref().to_string();
  if (m.layers.count(key)) return Status::already_exists("layer " + key + " is already in the swarm node");
  BC_ASSIGN_OR_RETURN(TorrentFacts facts, read_layer_torrent(torrent_bytes));
  BC_RETURN_IF_ERROR(check_torrent_matches(man, facts).with_context("layer " + key));
  BC_RETURN_IF_ERROR(check_layer_transport(facts, m.options.insecure_plain_peers).with_context("layer " + key));

  LayerState l;
  l.ref = man.ref();
  l.mode = mode;
  l.info_hash = facts.info_hash;
  l.torrent_name = facts.top_dir;
  l.ssl = !facts.ssl_cert.empty();
  l.resume_path = m.options.data_dir + "/resume/" + facts.info_hash + ".resume";
  l.tap = std::make_shared<PeerTapState>();
  // Resume data only after a clean previous run, where it is current
  // (libtorrent then checks file sizes only); otherwise the files are hashed.
  Result<std::string> resume = std::string();
  if (mode == LayerMode::download && !unclean_start_) resume = read_small_file(l.resume_path, kMaxResumeBytes);
  LayerParamsInput in{torrent_bytes, &facts, resume.ok() ? *resume : std::string_view(), payload_dir, bins_dir,
                      mode, announce_url(m.options), m.options.web_seed_urls};
  if (auto w = m.layer_web_seeds.find(l.info_hash); w != m.layer_web_seeds.end()) l.web_seeds = w->second;
  in.exact_web_seed_urls = l.web_seeds;
  auto params = make_layer_params(in);
  if (!params.ok()) return params.status().with_context("layer " + key);
  lt::add_torrent_params atp = std::move(*params);
  l.piece_length = atp.ti->files().piece_length();
  l.tap->short_pieces = short_pieces(atp.ti->files());
  atp.extensions.push_back([tap = l.tap](const lt::torrent_handle&, lt::client_data_t) { return make_peer_tap(tap); });
  atp.extensions.push_back([hub = m.session->pacer()](const lt::torrent_handle&, lt::client_data_t) {
    return hub->torrent_plugin();
  });
  if (l.ssl)
    atp.extensions.push_back([hub = m.session->cert_guard(), name = l.torrent_name](const lt::torrent_handle&,
                                                                                     lt::client_data_t) {
      return hub->torrent_plugin(name);
    });
  lt::error_code ec;
  l.handle = m.session->lt().add_torrent(std::move(atp), ec);
  if (ec) return Status::internal("layer " + key + ": libtorrent add_torrent: " + ec.message());
  l.last_save_ms = m.clock->now_ms();
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
  m.session->lt().remove_torrent(l->handle);
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
  impl_->session->set_lan(impl_->classifier.lan());
  return Status();
}

Status SwarmNode::set_web_seeds(const std::vector<std::string>& base_urls) {
  SwarmNodeOptions o = impl_->options;
  o.web_seed_urls = base_urls;
  BC_RETURN_IF_ERROR(o.validate());
  impl_->options.web_seed_urls = base_urls;
  return Status();
}

Status SwarmNode::set_layer_web_seeds(std::map<std::string, std::vector<std::string>> by_info_hash) {
  if (by_info_hash.size() > kMaxLayerWebSeeds) return Status::invalid_argument("web seeds for too many layers");
  for (const auto& [ih, urls] : by_info_hash) {
    if (urls.size() > kMaxWebSeedUrls) return Status::invalid_argument("more than 16 web seed URLs for " + ih);
    for (const auto& u : urls) BC_RETURN_IF_ERROR(check_web_seed_url(u).with_context("web seed of " + ih));
  }
  // Expiring URLs are replaced, not piled up: the old one leaves the torrent.
  for (auto& [key, l] : impl_->layers) {
    auto it = by_info_hash.find(l.info_hash);
    std::vector<std::string> want = it == by_info_hash.end() ? std::vector<std::string>{} : it->second;
    if (want == l.web_seeds) continue;
    for (const auto& u : l.web_seeds)
      if (std::find(want.begin(), want.end(), u) == want.end()) l.handle.remove_url_seed(u);
    for (const auto& u : want)
      if (std::find(l.web_seeds.begin(), l.web_seeds.end(), u) == l.web_seeds.end()) l.handle.add_url_seed(u);
    l.web_seeds = std::move(want);
  }
  impl_->layer_web_seeds = std::move(by_info_hash);
  return Status();
}

void SwarmNode::set_wan_limits(int64_t down, int64_t up) { impl_->session->set_wan_limits(down, up); }
void SwarmNode::set_lan_limits(int64_t down, int64_t up) { impl_->session->set_lan_limits(down, up); }
Status SwarmNode::set_peer_dscp(int dscp) {
  if (dscp < 0 || dscp > 63) return Status::invalid_argument("peer_dscp " + std::to_string(dscp) + ": not in [0, 63]");
  impl_->session->set_peer_dscp(dscp);
  return Status();
}

void SwarmNode::set_wan_request_pace(int64_t rate_bytes_per_s, int64_t window_bytes) {
  impl_->session->pacer()->set_pace(rate_bytes_per_s, window_bytes);
}

SwarmNode::WanBytes SwarmNode::wan_bytes() const {
  WanBytes total = impl_->retired_wan;
  for (const auto& [key, l] : impl_->layers) {
    const WanBytes w = impl_->wan_bytes(l);
    total.down += w.down;
    total.up += w.up;
  }
  return total;
}

std::vector<std::string> SwarmNode::banned_peers() const {
  std::vector<std::string> out;
  for (const auto& [ip, at] : impl_->guard->bans()) out.push_back(ip);
  return out;
}

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
