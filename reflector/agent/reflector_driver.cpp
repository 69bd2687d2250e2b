#include "reflector/agent/reflector_driver.hpp"

#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>

#include <spdlog/logger.h>

#include "layers/util/fs.hpp"
#include "layers/util/private_dir.hpp"
#include "node/bytes_by_source.hpp"
#include "node/tracker_pin.hpp"
#include "node/tracker_url.hpp"
#include "reflector/agent/reflector_messages.hpp"
#include "reflector/agent/reflector_swarm.hpp"

namespace bc::reflector {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {
constexpr int64_t kRegisterRetryMs = 2'000;  // while the tracker cannot be reached

ReflectorCoreOptions core_options(const ReflectorConfig& c) {
  ReflectorCoreOptions o;
  o.quota_bytes = c.quota_bytes;
  o.max_parallel_fetches = c.max_parallel_fetches;
  return o;
}

}  // namespace

ReflectorDriver::ReflectorDriver(const ReflectorConfig& config, const Clock& clock, SecretKey key)
    : config_(config), clock_(clock), key_(std::move(key)), core_(core_options(config)),
      heartbeat_(config.heartbeat_interval_ms), alive_(config.liveness_interval_ms) {}

ReflectorDriver::~ReflectorDriver() = default;

Result<std::unique_ptr<ReflectorDriver>> ReflectorDriver::create(const ReflectorConfig& config,
                                                                  const Clock& clock) {
  BC_RETURN_IF_ERROR(config.validate());
  BC_ASSIGN_OR_RETURN(node::TrackerUrl url, node::parse_node_tracker_url(config.tracker_url));
  // The cache holds what this branch is entitled to and the announce key:
  // created 0700, refused when others can enter it.
  BC_RETURN_IF_ERROR(ensure_private_dir(config.cache_dir));
  auto key = SecretKey::load(config.identity_key_file);
  if (!key.ok()) return key.status().with_context("identity key");
  std::unique_ptr<ReflectorDriver> d(new ReflectorDriver(config, clock, std::move(*key)));
  d->tracker_key_ = *public_key_from_hex(config.tracker_public_key);
  d->node_id_ = public_key_hex(d->key_.public_key());
  d->log_ = node::make_node_logger("bc-reflector", d->node_id_);
  tracker::HttpClientOptions http = node::tracker_http_options(url, config.tracker_ca_file, 20'000);
  d->client_ = std::make_unique<tracker::TrackerClient>(http, &d->key_, "", clock);
  d->feed_ = std::make_unique<node::DesiredFeed>(*d->client_, config.cache_dir + "/desired.json", *d->log_,
                                                 node::DesiredFeedOptions{config.poll_interval_ms});
  // A change reaches the reflector as the tracker stores it, not a poll later.
  d->feed_->start_long_poll(std::make_unique<tracker::TrackerClient>(http, &d->key_, "", clock));
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

Status ReflectorDriver::start_swarm() {
  if (node_) return Status();
  BC_ASSIGN_OR_RETURN(node_, node::NodeSwarm::start(reflector_swarm_options(config_, announce_key_), clock_, log_));
  return node_->keep_certificates(*client_, config_.cache_dir);
}

// A desired state from the tracker (or saved from it): the core's desired
// set, the branch network and WAN settings.
Status ReflectorDriver::take_desired(const json& state) {
  BC_ASSIGN_OR_RETURN(std::vector<DesiredLayer> layers, desired_layers(state));
  core_.set_desired(std::move(layers));
  if (announce_key_.empty()) announce_key_ = state.value("announce_key", "");
  BC_RETURN_IF_ERROR(start_swarm());
  Status s = node_->apply_desired(state);
  if (!s.ok()) last_error_ = s.to_string();
  return Status();
}

Status ReflectorDriver::register_or_heartbeat() {
  json fields = heartbeat_fields(core_, config_.address);
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
  feed_->reset();
  auto first = feed_->poll();
  if (!first.ok()) return first.status().with_context("first desired-state poll");
  if (!*first) return Status::unavailable("first desired-state poll answered 304");
  announce_key_ = (*first)->state.value("announce_key", "");
  BC_RETURN_IF_ERROR(take_desired((*first)->state));
  feed_->accept(**first);
  heartbeat_.restart(clock_.now_ms());
  return Status();
}

Status ReflectorDriver::resume_from_saved() {
  BC_ASSIGN_OR_RETURN(json state, feed_->load_saved());
  return take_desired(state).with_context(feed_->saved_path());
}

Status ReflectorDriver::run() {
  // The tracker may be down when the reflector starts: registration is
  // retried while it is unreachable, and meanwhile the saved state serves;
  // any other refusal (bad token, wrong role) is final.
  bool registered = false, resumed = false;
  node::Every retry(kRegisterRetryMs);
  node::NodeLoopOptions lo;
  lo.name = "reflector";
  lo.clock = &clock_;
  lo.stop = &stop_;
  return node::run_node_loop(lo, [&]() -> Result<node::Turn> {
    if (!registered && retry.due(clock_.now_ms())) {
      Status s = register_or_heartbeat();
      registered = s.ok();
      if (!s.ok() && s.code() != Status::Code::unavailable) return s;
      if (!s.ok() && !resumed) {
        resumed = true;
        Status r = resume_from_saved();
        if (!r.ok() && r.code() != Status::Code::not_found) log_->error("{}", r.to_string());
      }
    }
    if (node_) step(200);
    else std::this_thread::sleep_for(std::chrono::milliseconds(200));  // nothing to wait on yet
    return node::Turn::again;
  });
}

void ReflectorDriver::reload() {
  if (!reload_source_) return;
  auto fresh = reload_source_();
  if (!fresh.ok()) {
    log_->error("reload: {}; keeping the running configuration", fresh.status().to_string());
    return;
  }
  if (fresh->quota_bytes != config_.quota_bytes) {
    Status s = core_.set_quota(fresh->quota_bytes);
    if (!s.ok()) {
      log_->error("reload: {}; keeping the running configuration", s.to_string());
      return;
    }
    log_->info("reload: cache quota {} -> {} bytes", config_.quota_bytes, fresh->quota_bytes);
    config_.quota_bytes = fresh->quota_bytes;
  }
  ReflectorConfig same = *fresh;
  same.quota_bytes = config_.quota_bytes;
  if (render_reflector_config(same) != render_reflector_config(config_))
    log_->warn("reload: settings other than quota_bytes changed; restart bc-reflector to apply them");
  else
    log_->info("reload: done");
}

void ReflectorDriver::step(int wait_ms) {
  if (reload_.exchange(false)) reload();
  if (feed_->due(clock_.now_ms())) poll_desired();
  run_actions();
  if (uploads_.due(clock_.now_ms())) report_uploads();
  node_->pump(wait_ms, handlers());
  if (heartbeat_.due(clock_.now_ms())) heartbeat_and_report();
  else if (alive_.due(clock_.now_ms())) bare_heartbeat();
}

void ReflectorDriver::poll_desired() {
  auto r = feed_->poll();
  Status s = !r.ok() ? r.status().with_context("desired-state poll") : *r ? take_desired((*r)->state) : Status();
  if (!s.ok()) {
    last_error_ = s.to_string();  // keep serving what we hold
    return;
  }
  if (*r) feed_->accept(**r);
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

BytesBySource ReflectorDriver::bytes_by_source() const {
  BytesBySource sum = downloaded_;
  for (const auto& [ref, f] : active_) node::add_to(sum, f.moved);
  return sum;
}

void ReflectorDriver::drop_fetch(const LayerRef& ref) {
  auto it = active_.find(ref);
  if (it == active_.end()) return;
  node::add_to(downloaded_, it->second.moved);
  (void)node_->swarm().remove_layer(ref);
  active_.erase(it);
}

void ReflectorDriver::evict(const Action& a) {
  drop_fetch(a.ref);
  (void)index_->forget_layer(a.ref);
  std::error_code ec;
  if (a.info_hash.size() == 64) fs::remove_all(layer_dir(a.info_hash), ec);
  if (ec) last_error_ = "evict " + a.ref.to_string() + ": " + ec.message();
  log_->info("{}: evicted", a.ref.to_string());
}

// Held on disk (a restart, or the tracker is down): no tracker call.
Status ReflectorDriver::start_fetch(const Action& a) {
  node::LayerFetchOptions fo;
  fo.tracker_key = tracker_key_;
  fo.want_info_hash = a.info_hash;
  BC_ASSIGN_OR_RETURN(node::HeldLayer held, node::obtain_layer(*client_, a.ref, layer_dir(a.info_hash), fo));
  BC_RETURN_IF_ERROR(node::stage_payload(held, *index_, config_.cache_dir).status());
  drop_fetch(a.ref);
  (void)node_->cover(a.ref);  // a certificate naming it first (logged when refused)
  BC_RETURN_IF_ERROR(node_->swarm().add_layer(held.manifest, held.torrent, held.payload_dir(), LayerMode::download));
  active_.emplace(a.ref, Fetch{std::move(held), {}});
  return Status();
}

void ReflectorDriver::finish_fetch(const LayerRef& ref, const BytesBySource& by_source) {
  auto it = active_.find(ref);
  if (it == active_.end()) return;
  auto c = core_.cache().find(ref);
  if (c == core_.cache().end() || c->second.state != CacheState::fetching) return;
  const node::HeldLayer& h = it->second.held;
  Status s = index_->record_layer(h.manifest, h.payload_dir(), h.facts);
  if (!s.ok()) last_error_ = "record " + ref.to_string() + " in the content index: " + s.to_string();
  node::add_to(downloaded_, by_source);
  it->second.moved = {};  // counted above; the layer now seeds
  // The layer stays in the session: libtorrent seeds it to the branch.
  core_.on_fetch_done(ref, h.payload_bytes(), clock_.now_ms());
  log_->info("{}: held, seeding", ref.to_string());
}

void ReflectorDriver::fail_fetch(const LayerRef& ref, const std::string& why) {
  drop_fetch(ref);
  last_error_ = ref.to_string() + ": " + why;
  log_->warn("{}", last_error_);
  core_.on_fetch_failed(ref, why, clock_.now_ms());
}

node::SwarmHandlers ReflectorDriver::handlers() {
  node::SwarmHandlers h;
  h.on_complete = [this](const LayerRef& l, const BytesBySource& b) { finish_fetch(l, b); };
  h.on_progress = [this](const LayerProgress& p) {
    core_.on_progress(p.layer, p.done_bytes);
    auto c = core_.cache().find(p.layer);
    auto f = active_.find(p.layer);
    if (f != active_.end() && c != core_.cache().end() && c->second.state == CacheState::fetching)
      f->second.moved = p.downloaded;
  };
  h.on_error = [this](const LayerError& e) {
    auto c = core_.cache().find(e.layer);
    if (c != core_.cache().end() && c->second.state == CacheState::fetching)
      fail_fetch(e.layer, e.reason);
    else
      last_error_ = e.layer.to_string() + ": " + e.reason;  // a seed's error: keep serving
  };
  return h;
}

// Serving counts as use (reflector_core.hpp): the swarm's upload counters.
void ReflectorDriver::report_uploads() {
  for (const auto& [ref, f] : active_) {
    auto c = core_.cache().find(ref);
    if (c == core_.cache().end() || c->second.state != CacheState::seeding) continue;
    auto st = node_->swarm().layer_status(ref);
    if (st.ok()) core_.on_upload(ref, st->uploaded_bytes, clock_.now_ms());
  }
}

void ReflectorDriver::heartbeat_and_report() {
  json fields = heartbeat_fields(core_, config_.address);
  // What this reflector moved over the WAN lately: the tracker splits the
  // branch budget among live reflectors by it.
  fields["wan_demand_bytes_per_s"] = node_->governor().take_demand_bytes_per_s();
  auto hb = client_->heartbeat(fields);
  if (!hb.ok()) last_error_ = "heartbeat: " + hb.status().to_string();
  alive_.restart(clock_.now_ms());
  auto r = client_->report_status(status_report(core_, bytes_by_source(), last_error_));
  if (!r.ok()) last_error_ = "status report: " + r.status().to_string();
}

// "Alive", nothing else: the tracker stamps last_heartbeat and keeps the
// rest of the record. A failure is not an error of its own (the full
// heartbeat reports the tracker's state).
void ReflectorDriver::bare_heartbeat() { (void)client_->heartbeat(nlohmann::json::object()); }

}  // namespace bc::reflector
