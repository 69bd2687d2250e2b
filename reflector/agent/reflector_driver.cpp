#include "reflector/agent/reflector_driver.hpp"

#include <sys/statvfs.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <system_error>

#include <spdlog/spdlog.h>

#include "layers/index/prepare_payload.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "layers/util/fs.hpp"
#include "tracker/client/branch_net.hpp"
#include "tracker/client/wan_settings.hpp"

namespace bc::reflector {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {
constexpr size_t kMaxKeyFileBytes = 4096;

ReflectorCoreOptions core_options(const ReflectorConfig& c) {
  ReflectorCoreOptions o;
  o.quota_bytes = c.quota_bytes;
  o.max_parallel_fetches = c.max_parallel_fetches;
  return o;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The tracker's desired state for a reflector -> the core's desired set.
Result<std::vector<DesiredLayer>> desired_layers(const json& state) {
  std::vector<DesiredLayer> out;
  if (!state.is_object() || !state.contains("layers") || !state["layers"].is_array())
    return Status::corruption("desired state has no \"layers\" array");
  for (const auto& l : state["layers"]) {
    if (!l.is_object()) return Status::corruption("desired state: a layer is not an object");
    auto ref = LayerRef::parse(l.value("ref", ""));
    if (!ref.ok()) return Status::corruption("desired state: bad ref: " + ref.status().message());
    DesiredLayer d{*ref, l.value("info_hash", ""), 0};
    if (l.contains("total_bytes") && l["total_bytes"].is_number_unsigned()) d.total_bytes = l["total_bytes"];
    if (d.info_hash.size() != 64 || d.info_hash.find_first_not_of("0123456789abcdef") != std::string::npos)
      return Status::corruption("desired state: layer " + ref->to_string() + " has a bad info_hash");
    out.push_back(std::move(d));
  }
  return out;
}
}  // namespace

ReflectorDriver::ReflectorDriver(const ReflectorConfig& config, const Clock& clock, SecretKey key)
    : config_(config), clock_(clock), key_(std::move(key)), core_(core_options(config)) {}

ReflectorDriver::~ReflectorDriver() = default;

Result<std::unique_ptr<ReflectorDriver>> ReflectorDriver::create(const ReflectorConfig& config,
                                                                  const Clock& clock) {
  BC_RETURN_IF_ERROR(config.validate());
  BC_ASSIGN_OR_RETURN(std::string key_hex, read_small_file(config.identity_key_file, kMaxKeyFileBytes));
  auto key = SecretKey::from_hex(trim(key_hex));
  if (!key.ok()) return key.status().with_context("identity key " + config.identity_key_file);
  std::unique_ptr<ReflectorDriver> d(new ReflectorDriver(config, clock, std::move(*key)));
  d->tracker_key_ = *public_key_from_hex(config.tracker_public_key);
  d->node_id_ = public_key_hex(d->key_.public_key());
  tracker::HttpClientOptions http;
  BC_RETURN_IF_ERROR(split_tracker_url(config.tracker_url, http.host, http.port));
  http.timeout_ms = 20'000;
  d->client_ = std::make_unique<tracker::TrackerClient>(http, &d->key_, "", clock);
  std::error_code ec;
  fs::create_directories(fs::path(config.cache_dir) / "layers", ec);
  if (ec) return Status::io_error("cannot create " + config.cache_dir + "/layers: " + ec.message());
  ContentIndexOptions io;
  io.dir = config.cache_dir + "/index";
  BC_ASSIGN_OR_RETURN(d->index_, ContentIndex::open(io));
  return d;
}

std::string ReflectorDriver::layer_dir(const std::string& info_hash) const {
  return config_.cache_dir + "/layers/" + info_hash;
}

json ReflectorDriver::cache_json() const {
  json cache = json::array();
  for (const auto& [ref, c] : core_.cache())
    if (c.state == CacheState::seeding) cache.push_back(c.info_hash);
  return cache;
}

Status ReflectorDriver::register_or_heartbeat() {
  json fields = {{"cache", cache_json()}, {"free_bytes", core_.free_bytes()}};
  if (!config_.address.empty()) fields["address"] = config_.address;
  auto hb = client_->heartbeat(fields);
  if (!hb.ok()) {
    if (hb.status().code() == Status::Code::unavailable) return hb.status().with_context("heartbeat");
    if (config_.registration_token.empty())
      return hb.status().with_context("heartbeat failed and no registration_token is configured");
    fields["token"] = config_.registration_token;
    if (!config_.branch.empty()) fields["branch"] = config_.branch;
    auto reg = client_->register_reflector(config_.registration_token, fields);
    if (!reg.ok()) return reg.status().with_context("register reflector");
  }
  // The first desired state carries the announce key the swarm needs.
  auto first = client_->poll_desired("", 0);
  if (!first.ok()) return first.status().with_context("first desired-state poll");
  if (first->status != 200) return Status::unavailable("first desired-state poll answered " +
                                                       std::to_string(first->status));
  announce_key_ = first->state.value("announce_key", "");
  etag_ = first->etag;
  auto layers = desired_layers(first->state);
  if (!layers.ok()) return layers.status();
  core_.set_desired(std::move(*layers));
  if (!swarm_) {
    SwarmNodeOptions so;
    so.data_dir = config_.cache_dir + "/swarm";
    so.node_name = "reflector";
    so.listen_interfaces = config_.listen;
    so.tracker_url = config_.tracker_url + "/announce";
    so.tracker_key = announce_key_;
    so.tracker_key_param = "bckey";
    so.wan_download_bytes_per_s = so.lan_download_bytes_per_s = config_.download_limit_bytes_per_s;
    so.wan_upload_bytes_per_s = so.lan_upload_bytes_per_s = config_.upload_limit_bytes_per_s;
    so.enable_utp = so.outgoing_utp = config_.utp;
    BC_ASSIGN_OR_RETURN(swarm_, SwarmNode::start(so));
    NodeGovernorOptions go;
    go.enabled = config_.wan_governor;
    go.listen_interfaces = config_.listen;  // probes leave from the payload's address
    go.down_cap_bytes_per_s = config_.download_limit_bytes_per_s;
    go.up_cap_bytes_per_s = config_.upload_limit_bytes_per_s;
    governor_ = std::make_unique<NodeGovernor>(*swarm_, clock_, go);
  }
  apply_branch_net(first->state);
  apply_wan_settings(first->state);
  next_heartbeat_ms_ = clock_.now_ms() + config_.heartbeat_interval_ms;
  return Status();
}

Status ReflectorDriver::run() {
  // The tracker may be down when the reflector starts: retry while it is
  // unreachable; any other refusal (bad token, wrong role) is final.
  for (;;) {
    Status s = register_or_heartbeat();
    if (s.ok()) break;
    if (s.code() != Status::Code::unavailable || stop_.load()) return s;
    for (int i = 0; i < 20 && !stop_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  while (!stop_.load()) step(200);
  return Status();
}

void ReflectorDriver::step(int wait_ms) {
  int64_t now = clock_.now_ms();
  if (now >= next_poll_ms_) {
    poll_desired();
    next_poll_ms_ = now + config_.poll_interval_ms;
  }
  run_actions();
  governor_tick();
  handle_events(wait_ms);
  governor_tick();
  if (clock_.now_ms() >= next_heartbeat_ms_) {
    heartbeat_and_report();
    next_heartbeat_ms_ = clock_.now_ms() + config_.heartbeat_interval_ms;
  }
}

void ReflectorDriver::poll_desired() {
  auto r = client_->poll_desired(etag_, 0);
  if (!r.ok()) {
    last_error_ = "desired-state poll: " + r.status().to_string();  // keep serving what we hold
    return;
  }
  if (r->status != 200) return;
  auto layers = desired_layers(r->state);
  if (!layers.ok()) {
    last_error_ = layers.status().to_string();
    return;
  }
  etag_ = r->etag;
  core_.set_desired(std::move(*layers));
  apply_branch_net(r->state);
  apply_wan_settings(r->state);
}

// The probe responder, the branch's WAN policy and this reflector's share of
// the branch caps. A refused part falls back to its default (wan_settings.hpp).
void ReflectorDriver::apply_wan_settings(const nlohmann::json& state) {
  if (!governor_) return;
  const tracker::WanSettings w = tracker::wan_settings_from_desired(state);
  if (w.problem != wan_problem_) {
    if (!w.problem.empty()) spdlog::warn("reflector {}: {}", node_id_.substr(0, 12), w.problem);
    wan_problem_ = w.problem;
  }
  std::string host;
  uint16_t port = 0;
  (void)split_tracker_url(config_.tracker_url, host, port);  // validated at start
  Status s = governor_->configure(host, w.probe_port, w.policy, w.share);
  if (!s.ok()) {
    last_error_ = s.to_string();
    spdlog::warn("reflector {}: {}", node_id_.substr(0, 12), s.to_string());
  }
}

// Every loop turn; the governor ticks every 200 ms and says when a line is due.
void ReflectorDriver::governor_tick() {
  if (!governor_) return;
  if (auto r = governor_->poll()) spdlog::info("reflector {}: {}", node_id_.substr(0, 12), NodeGovernor::describe(*r));
}

// The branch's subnets (LAN class: endpoints are served without the WAN
// limit) and web seeds (extra origins for layers fetched from now on).
void ReflectorDriver::apply_branch_net(const nlohmann::json& state) {
  auto net = tracker::branch_net_from_desired(state);
  Status s = net.ok() ? Status() : net.status();
  if (s.ok() && *net != net_) {
    s = swarm_->set_lan(net->subnets, net->reflector_ips);
    if (s.ok()) s = swarm_->set_web_seeds(net->web_seeds);
    if (s.ok()) net_ = *net;
  }
  if (!s.ok()) last_error_ = "branch network from the tracker: " + s.to_string();
}

void ReflectorDriver::run_actions() {
  for (const Action& a : core_.plan(clock_.now_ms())) {
    if (a.kind == Action::evict) {
      evict(a);
      continue;
    }
    Status s = start_fetch(a);
    if (!s.ok()) fail_fetch(a.ref, s.to_string());
  }
}

namespace {
void add_to(BytesBySource& sum, const BytesBySource& b) {
  sum.origin_wan += b.origin_wan;
  sum.reflector += b.reflector;
  sum.branch_peer += b.branch_peer;
}
}  // namespace

BytesBySource ReflectorDriver::bytes_by_source() const {
  BytesBySource sum = downloaded_;
  for (const auto& [ref, f] : active_) add_to(sum, f.moved);
  return sum;
}

void ReflectorDriver::drop_fetch(const LayerRef& ref) {
  auto it = active_.find(ref);
  if (it == active_.end()) return;
  add_to(downloaded_, it->second.moved);
  (void)swarm_->remove_layer(ref);
  active_.erase(it);
}

void ReflectorDriver::evict(const Action& a) {
  drop_fetch(a.ref);
  (void)index_->forget_layer(a.ref);
  std::error_code ec;
  if (a.info_hash.size() == 64) fs::remove_all(layer_dir(a.info_hash), ec);
  if (ec) last_error_ = "evict " + a.ref.to_string() + ": " + ec.message();
}

Status ReflectorDriver::start_fetch(const Action& a) {
  const std::string base = "/api/v1/layers/" + a.ref.to_string();
  auto m = client_->node_call("GET", base + "/manifest");
  if (!m.ok()) return m.status().with_context("manifest of " + a.ref.to_string());
  if (m->status != 200) return Status::unavailable("manifest of " + a.ref.to_string() + ": HTTP " + std::to_string(m->status));
  auto sig = signature_from_hex(m->header("x-bc-signature"));
  if (!sig.ok()) return Status::corruption("manifest of " + a.ref.to_string() + " has no valid X-BC-Signature");
  // The pinned key, never the X-BC-Signer header: that one is the server's claim.
  auto trusted = TrustedManifest::verify(m->body, *sig, tracker_key_);
  if (!trusted.ok()) return trusted.status().with_context("manifest of " + a.ref.to_string());
  if (!(trusted->manifest().ref() == a.ref))
    return Status::corruption("manifest names " + trusted->manifest().ref().to_string() + ", expected " + a.ref.to_string());
  auto t = client_->node_call("GET", base + "/torrent");
  if (!t.ok()) return t.status().with_context("torrent of " + a.ref.to_string());
  if (t->status != 200) return Status::unavailable("torrent of " + a.ref.to_string() + ": HTTP " + std::to_string(t->status));
  auto facts = read_layer_torrent(t->body);
  if (!facts.ok()) return facts.status().with_context("torrent of " + a.ref.to_string());
  if (facts->info_hash != a.info_hash)
    return Status::corruption("torrent of " + a.ref.to_string() + " has info_hash " + facts->info_hash +
                              ", the desired state says " + a.info_hash);
  BC_RETURN_IF_ERROR(check_torrent_matches(trusted->manifest(), *facts));
  const std::string dir = layer_dir(a.info_hash);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::io_error("cannot create " + dir + ": " + ec.message());
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/manifest.json", m->body, 0644));
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/manifest.sig", signature_hex(*sig) + "\n", 0644));
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/layer.torrent", t->body, 0644));
  const std::string payload = dir + "/payload";
  auto prep = prepare_payload(*trusted, *facts, payload, *index_);
  if (!prep.ok()) return prep.status().with_context("prepare payload of " + a.ref.to_string());
  drop_fetch(a.ref);
  BC_RETURN_IF_ERROR(swarm_->add_layer(*trusted, t->body, payload, LayerMode::download));
  active_.emplace(a.ref, Fetch{std::move(*trusted), std::move(*facts), payload});
  return Status();
}

void ReflectorDriver::finish_fetch(const LayerRef& ref, const BytesBySource& by_source) {
  auto it = active_.find(ref);
  if (it == active_.end()) return;
  auto c = core_.cache().find(ref);
  if (c == core_.cache().end() || c->second.state != CacheState::fetching) return;
  Status s = index_->record_layer(it->second.manifest, it->second.payload_dir, it->second.facts);
  if (!s.ok()) last_error_ = "record " + ref.to_string() + " in the content index: " + s.to_string();
  add_to(downloaded_, by_source);
  it->second.moved = {};  // counted above; the layer now seeds
  uint64_t bytes = 0;
  for (const auto& e : it->second.manifest.manifest().entries) bytes += e.size;
  // The layer stays in the session: libtorrent seeds it to the branch.
  core_.on_fetch_done(ref, bytes, clock_.now_ms());
}

void ReflectorDriver::fail_fetch(const LayerRef& ref, const std::string& why) {
  drop_fetch(ref);
  last_error_ = ref.to_string() + ": " + why;
  core_.on_fetch_failed(ref, why, clock_.now_ms());
}

void ReflectorDriver::handle_events(int wait_ms) {
  for (auto& ev : swarm_->poll_events(wait_ms)) {
    if (auto* done = std::get_if<LayerComplete>(&ev)) {
      finish_fetch(done->layer, done->downloaded);
    } else if (auto* checked = std::get_if<LayerChecked>(&ev)) {
      if (checked->total_bytes > 0 && checked->done_bytes == checked->total_bytes)
        finish_fetch(checked->layer, checked->downloaded);  // held already, or downloaded before we looked
    } else if (auto* p = std::get_if<LayerProgress>(&ev)) {
      core_.on_progress(p->layer, p->done_bytes);
      auto c = core_.cache().find(p->layer);
      auto f = active_.find(p->layer);
      if (f != active_.end() && c != core_.cache().end() && c->second.state == CacheState::fetching)
        f->second.moved = p->downloaded;
    } else if (auto* err = std::get_if<LayerError>(&ev)) {
      auto c = core_.cache().find(err->layer);
      if (c != core_.cache().end() && c->second.state == CacheState::fetching)
        fail_fetch(err->layer, err->reason);
      else
        last_error_ = err->layer.to_string() + ": " + err->reason;  // a seed's error: keep serving
    }
  }
}

void ReflectorDriver::heartbeat_and_report() {
  json fields = {{"cache", cache_json()}, {"free_bytes", core_.free_bytes()}};
  if (!config_.address.empty()) fields["address"] = config_.address;
  // What this reflector moved over the WAN lately: the tracker splits the
  // branch budget among live reflectors by it.
  if (governor_) fields["wan_demand_bytes_per_s"] = governor_->take_demand_bytes_per_s();
  auto hb = client_->heartbeat(fields);
  if (!hb.ok()) last_error_ = "heartbeat: " + hb.status().to_string();
  json layers = json::array();
  for (const auto& [ref, c] : core_.cache())
    layers.push_back({{"ref", ref.to_string()}, {"state", to_string(c.state)},
                      {"bytes_done", c.done_bytes}, {"bytes_total", c.bytes}});
  if (layers.size() > 256) layers.erase(layers.begin() + 256, layers.end());  // report bound
  std::string err = !core_.last_error().empty() ? core_.last_error() : last_error_;
  const BytesBySource moved = bytes_by_source();
  json report = {{"layers", layers},
                 {"bytes_by_source", {{"origin", moved.origin_wan}, {"reflector", moved.reflector},
                                      {"peer", moved.branch_peer}}},
                 {"last_error", err.substr(0, 1024)}};
  auto r = client_->report_status(report);
  if (!r.ok()) last_error_ = "status report: " + r.status().to_string();
}

}  // namespace bc::reflector
