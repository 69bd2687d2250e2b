#include "tracker/origin/origin_seeder.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <map>

#include "layers/swarm/swarm_node.hpp"

namespace bc::tracker {

struct OriginSeeder::Impl {
  std::unique_ptr<SwarmNode> node;
  std::map<std::string, uint64_t> uploaded_seen;  // layer ref -> uploaded_bytes last read
  std::chrono::steady_clock::time_point last_account;
};

namespace {

SwarmNodeOptions swarm_options(const OriginOptions& o) {
  SwarmNodeOptions s;
  s.data_dir = o.state_dir;
  s.node_name = "origin";
  s.listen_interfaces = o.listen;
  // The origin has no branch: every peer is in the WAN class, whose upload
  // limit is the origin's cap. The LAN class gets the same cap for safety.
  s.wan_upload_bytes_per_s = o.upload_limit_bytes_per_s;
  s.lan_upload_bytes_per_s = o.upload_limit_bytes_per_s;
  s.outgoing_utp = false;
  // Every origin peer is an enrolled, certified node the tracker granted the
  // origin (tracker/bt/origin_grants.hpp): serve them all at once, sharing the
  // cap, instead of 8 fixed slots that left reflectors choked 5-30 s.
  s.wan_ignore_unchoke_slots = true;
  s.tracker_url = o.announce_url;
  s.tracker_key = o.announce_key;
  s.tracker_key_param = "bckey";  // docs/api.md, "BitTorrent announce and scrape"
  s.progress_interval_ms = 1000;
  s.insecure_plain_peers = o.insecure_plain_peers;
  return s;
}

void log_event(const SwarmEvent& e) {
  std::visit(
      [](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, LayerChecked>) {
          spdlog::info("origin: {} checked ({} of {} bytes)", ev.layer.to_string(), ev.done_bytes, ev.total_bytes);
        } else if constexpr (std::is_same_v<T, LayerError>) {
          spdlog::error("origin: {}: {}", ev.layer.to_string(), ev.reason);
        } else if constexpr (std::is_same_v<T, HashFailed>) {
          spdlog::error("origin: {}: piece {} failed its hash check on disk", ev.layer.to_string(), ev.piece);
        } else if constexpr (std::is_same_v<T, TrackerError>) {
          spdlog::warn("origin: {}: announce to {} failed ({} in a row): {}", ev.layer.to_string(), ev.url,
                       ev.times_in_row, ev.reason);
        } else if constexpr (std::is_same_v<T, PeerBanned>) {
          spdlog::warn("origin: {}: peer {} banned: {}", ev.layer.to_string(), ev.peer_ip, ev.reason);
        } else if constexpr (std::is_same_v<T, LayerProgress>) {
          spdlog::debug("origin: {} uploading {} B/s to {} peers", ev.layer.to_string(), ev.upload_bytes_per_s,
                        ev.peers);
        }
      },
      e);
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

Result<std::unique_ptr<OriginSeeder>> OriginSeeder::start(const OriginOptions& options, BytesSink sink,
                                                          CertSource certs) {
  BC_RETURN_IF_ERROR(options.validate());
  if (!options.enabled) return Status::invalid_argument("origin: not enabled");
  BC_ASSIGN_OR_RETURN(std::unique_ptr<SwarmNode> node, SwarmNode::start(swarm_options(options)));
  std::unique_ptr<OriginSeeder> s(new OriginSeeder());
  s->options_ = options;
  s->sink_ = std::move(sink);
  s->certs_ = std::move(certs);
  s->port_ = node->listen_port();
  s->impl_ = std::make_unique<Impl>();
  s->impl_->node = std::move(node);
  s->impl_->last_account = std::chrono::steady_clock::now();
  if (s->certs_) s->renew_certificate();  // before any layer is added; the owner thread is not running yet
  // The node moves to the owner thread here; nothing else touches it.
  s->thread_ = std::thread([p = s.get()] { p->run(); });
  spdlog::info("origin: seeding on port {}, upload cap {} B/s", s->port_, options.upload_limit_bytes_per_s);
  return s;
}

OriginSeeder::~OriginSeeder() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (impl_) impl_->node.reset();
}

Status OriginSeeder::enqueue(Command c) {
  std::lock_guard<std::mutex> lock(mu_);
  if (queue_.size() >= kMaxOriginLayers) return Status::no_space("origin: command queue is full");
  queue_.push_back(std::move(c));
  ++queued_;
  return Status();
}

Status OriginSeeder::publish(const TrustedManifest& layer, std::string torrent, std::string payload_dir) {
  return enqueue(Publish{layer, std::move(torrent), std::move(payload_dir)});
}

Status OriginSeeder::remove(const LayerRef& layer) { return enqueue(Remove{layer}); }

Status OriginSeeder::set_revoked_serials(std::vector<std::string> serials) {
  return enqueue(Revoked{std::move(serials)});
}

void OriginSeeder::renew_certificate() {
  auto c = certs_();
  if (!c.ok()) {
    spdlog::error("origin: no peer certificate: {} (retrying in 10 s)", c.status().to_string());
    cert_due_unix_ = unix_now() + 10;
    return;
  }
  Status s = impl_->node->set_certificate(c->cert_pem, c->key_pem);
  if (!s.ok()) spdlog::error("origin: peer certificate refused by the swarm: {}", s.to_string());
  else spdlog::info("origin: peer certificate set; renewing at unix {}", c->renew_at_unix);
  cert_due_unix_ = c->renew_at_unix;
}

void OriginSeeder::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = queued_;
  cv_.wait(lock, [&] { return applied_ >= target || stop_; });
}

void OriginSeeder::apply(Command& c) {
  SwarmNode& node = *impl_->node;
  if (auto* p = std::get_if<Publish>(&c)) {
    Status s = node.add_layer(p->layer, p->torrent, p->payload_dir, LayerMode::seed);
    std::string ref = p->layer.manifest().ref().to_string();
    if (s.ok()) spdlog::info("origin: seeding {} from {}", ref, p->payload_dir);
    else if (s.code() != Status::Code::already_exists) spdlog::error("origin: cannot seed {}: {}", ref, s.to_string());
  } else if (auto* rv = std::get_if<Revoked>(&c)) {
    node.set_revoked_serials(std::move(rv->serials));
  } else {
    auto& r = std::get<Remove>(c);
    account_upload();  // keep the removed layer's last bytes
    Status s = node.remove_layer(r.layer);
    impl_->uploaded_seen.erase(r.layer.to_string());
    if (s.ok()) spdlog::info("origin: stopped seeding {}", r.layer.to_string());
  }
  layer_count_ = node.layers().size();
}

void OriginSeeder::account_upload() {
  SwarmNode& node = *impl_->node;
  uint64_t delta = 0;
  for (const LayerRef& ref : node.layers()) {
    auto st = node.layer_status(ref);
    if (!st.ok()) continue;
    uint64_t& seen = impl_->uploaded_seen[ref.to_string()];
    if (st->uploaded_bytes > seen) delta += st->uploaded_bytes - seen;
    seen = st->uploaded_bytes;
  }
  if (delta == 0) return;
  uploaded_ += delta;
  if (sink_) sink_(delta);
}

void OriginSeeder::run() {
  for (;;) {
    std::deque<Command> batch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) break;
      batch.swap(queue_);
    }
    for (Command& c : batch) apply(c);
    if (!batch.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      applied_ += batch.size();
      cv_.notify_all();
    }
    for (const SwarmEvent& e : impl_->node->poll_events(options_.poll_interval_ms)) log_event(e);
    if (certs_ && unix_now() >= cert_due_unix_) renew_certificate();
    auto now = std::chrono::steady_clock::now();
    if (now - impl_->last_account >= std::chrono::milliseconds(500)) {
      impl_->last_account = now;
      account_upload();
    }
  }
  account_upload();
  std::lock_guard<std::mutex> lock(mu_);
  cv_.notify_all();
}

}  // namespace bc::tracker
