#include "tracker/app/tracker_app.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "layers/rtt_probe/echo_responder.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/private_dir.hpp"
#include "layers/util/redact.hpp"
#include "tracker/api/rollout_api.hpp"
#include "tracker/console/console_server.hpp"
#include "tracker/console/request_guard.hpp"
#include "tracker/api/upload_api.hpp"
#include "tracker/origin/origin_catalog.hpp"
#include "tracker/service/layer_importer.hpp"
#include "tracker/service/node_certs.hpp"
#include "tracker/webseed/web_seed_api.hpp"
#include "tracker/webseed/web_seed_key.hpp"

namespace bc::tracker {

using nlohmann::json;

Status install_admin_token(Store& store, const std::string& token, int64_t now_unix_s) {
  if (token.size() < 16) return Status::invalid_argument("bootstrap admin token must be at least 16 characters");
  return store.write([&](Txn& t) -> Status {
    std::vector<std::string> stale;
    BC_RETURN_IF_ERROR(t.scan(Table::admin_tokens, "", [&](std::string_view k, std::string_view v) {
      if (json::parse(v, nullptr, false).value("id", "") == "bootstrap") stale.emplace_back(k);
      return true;
    }));
    for (const auto& k : stale) BC_RETURN_IF_ERROR(t.del(Table::admin_tokens, k));
    json rec = {{"id", "bootstrap"}, {"role", "admin"}, {"name", "bootstrap (config)"},
                {"created_at", now_unix_s}, {"created_by", "config"}};
    return put_json(t, Table::admin_tokens, Authenticator::hash_token(token), rec);
  });
}

Result<std::unique_ptr<TrackerApp>> TrackerApp::create(const TrackerConfig& config, const Clock& clock) {
  BC_RETURN_IF_ERROR(config.validate());
  // Buffers of 1 MiB and more (upload chunks, request bodies, torrents) are
  // mmapped and unmapped on free. glibc's default threshold rises after the
  // first such free and then keeps those buffers in per-thread arenas: one
  // 16 MiB chunk per worker thread of private memory for good.
  ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
  std::unique_ptr<TrackerApp> app(new TrackerApp(config, clock));
  // The data dir holds the store (node and announce keys) and the payloads:
  // created 0700, refused when others can enter it (layers/util/private_dir.hpp).
  BC_RETURN_IF_ERROR(ensure_private_dir(config.data_dir));
  BC_ASSIGN_OR_RETURN(app->store_, Store::open(config.data_dir + "/db", config.lmdb));
  BC_ASSIGN_OR_RETURN(SecretKey key, SecretKey::load(config.signing_key_file));
  app->key_ = std::make_unique<SecretKey>(key);
  BC_RETURN_IF_ERROR(app->open_ca());
  ReplayLimits replay;
  replay.entries = config.api.replay_cache_entries;
  replay.per_node = config.api.replay_nonces_per_node;
  app->auth_ = std::make_unique<Authenticator>(*app->store_, clock, config.api.max_clock_skew_s, replay);
  BC_RETURN_IF_ERROR(app->install_bootstrap_token());
  app->ctx_.reset(new ApiContext{*app->store_, *app->auth_, clock, *app->key_, app->metrics_,
                                 app->peers_, config.api, config.data_dir});
  app->ctx_->ca = app->ca_.get();
  app->ctx_->pki = config.pki;
  std::string ssl_ca = config.pki.insecure_plain_torrents ? "" : app->ca_->ca_cert_pem();
  if (ssl_ca.empty())
    spdlog::warn("!!! INSECURE: [pki] insecure_plain_torrents = true: layers are published as plain torrents; "
                 "anyone holding a .torrent can download them from the origin");
  app->ctx_->import_layer = [ssl_ca](const std::string& dir, const std::string& root, const SecretKey& key) {
    return import_layer(dir, root, key, ssl_ca);
  };
  BC_RETURN_IF_ERROR(app->open_web_seed());
  app->ctx_->probe_port = config.probe_port;  // start_probe binds exactly this port
  add_metrics_routes(app->router_, *app->ctx_);
  add_admin_routes(app->router_, *app->ctx_);
  add_branch_routes(app->router_, *app->ctx_);
  add_layer_routes(app->router_, *app->ctx_);
  add_assignment_routes(app->router_, *app->ctx_);
  add_node_routes(app->router_, *app->ctx_);
  add_desired_routes(app->router_, *app->ctx_);
  add_pki_routes(app->router_, *app->ctx_);
  add_facts_routes(app->router_, *app->ctx_);
  add_rollout_routes(app->router_, *app->ctx_, app->history_);
  add_console_api_routes(app->router_, *app->ctx_);
  add_console_routes(app->router_, config.console);
  add_web_seed_routes(app->router_, *app->web_seed_);
  add_web_seed_cert_routes(app->router_, *app->ctx_);
  app->uploads_ = std::make_unique<UploadService>(config.upload, config.data_dir, *app->store_, clock);
  BC_RETURN_IF_ERROR(app->uploads_->open());
  add_upload_routes(app->router_, *app->ctx_, *app->uploads_);
  app->config_.server.large_body_prefix = kUploadPathPrefix;
  app->config_.server.large_body_bytes = std::max(config.upload.max_chunk_bytes, config.upload.max_start_bytes);
  StoreBtDirectoryOptions dir_options;
  if (config.origin.enabled) dir_options.origin_key = config.origin.announce_key;
  dir_options.reflector_live_s = config.api.reflector_live_s;
  app->bt_ = std::make_unique<BtFrontend>(*app->store_, clock, app->metrics_, config.bt,
                                          dir_options);
  app->bt_->add_routes(app->router_);
  // The layer API asks the announce's entitlement rule (one rule, one cache).
  app->ctx_->node_entitled = [bt = app->bt_.get()](const Principal& who, const std::string& ref) {
    return bt->entitled(who.id, who.node_role, ref);
  };
  return app;
}

TrackerApp::~TrackerApp() { stop(); }

// Tokenized web seeds (tracker/webseed): the secret is made on first start
// even when no web seed is configured, so the check route and external
// servers can be turned on later without restarting nodes' URLs.
Status TrackerApp::open_web_seed() {
  WebSeedOptions o;
  BC_ASSIGN_OR_RETURN(o.secret, load_web_seed_secret(config_.origin.web_seed_secret_file, true));
  o.ttl_s = config_.origin.web_seed_token_ttl_s;
  o.serve_own = config_.origin.serve_web_seed;
  o.own_https = config_.server.tls();  // open_ca() has settled it
  o.external_bases = config_.origin.web_seeds;
  web_seed_ = std::make_unique<WebSeedService>(*ctx_, std::move(o));
  if (web_seed_->options().serve_own || !web_seed_->options().external_bases.empty())
    ctx_->web_seed_urls = [ws = web_seed_.get()](const std::string& node, const std::string& ih,
                                                 const std::string& host) { return ws->urls_for(node, ih, host); };
  return Status();
}

// The CA is opened whatever the HTTP side speaks: it is also the root of the
// SSL torrents. Its own HTTPS certificate serves unless the admin configured
// one, or asked for plain HTTP.
Status TrackerApp::open_ca() {
  TrackerCaOptions o;
  o.dir = config_.data_dir + "/pki";
  o.https_names = config_.tls_names;
  BC_ASSIGN_OR_RETURN(TrackerCa ca, TrackerCa::open(o, clock_));
  ca_ = std::make_unique<TrackerCa>(std::move(ca));
  if (!config_.server.tls() && !config_.insecure_plain_http) {
    config_.server.tls_cert_file = ca_->https_cert_file();
    config_.server.tls_key_file = ca_->https_key_file();
  }
  return Status();
}

// What an admin hands to nodes: the URL, and the CA's fingerprint and file
// for --tracker-ca-fingerprint / --tracker-ca.
void TrackerApp::log_listening(uint16_t port) const {
  const bool tls = config_.server.tls();
  spdlog::info("bc-tracker listening on {}://{}:{}, data in {}", tls ? "https" : "http",
               config_.server.listen_address, port, config_.data_dir);
  spdlog::info("bc-tracker CA fingerprint SHA256 {}", pki::colon_fingerprint(ca_->ca_fingerprint()));
  spdlog::info("bc-tracker CA certificate {}/pki/ca.pem (nodes: --tracker-ca FILE or --tracker-ca-fingerprint HEX)",
               config_.data_dir);
  if (tls) {
    std::string names;
    for (const auto& n : ca_->https_names()) names += (names.empty() ? "" : " ") + n;
    if (config_.server.tls_cert_file == ca_->https_cert_file())
      spdlog::info("bc-tracker HTTPS certificate {} names: {} (add more with [server] tls_names)",
                   config_.server.tls_cert_file, names);
    else
      spdlog::info("bc-tracker HTTPS certificate {} (configured)", config_.server.tls_cert_file);
    return;
  }
  spdlog::warn("!!! INSECURE: bc-tracker serves PLAIN HTTP ([server] insecure_plain_http / --insecure-plain-http):");
  spdlog::warn("!!! enrollment tokens, admin tokens and announce keys cross the network in clear, and nodes");
  spdlog::warn("!!! cannot authenticate this tracker. For tests only; remove the option to serve HTTPS.");
}

Status TrackerApp::install_bootstrap_token() {
  if (config_.admin_token_file.empty()) return Status();
  BC_ASSIGN_OR_RETURN(std::string token, read_small_file(config_.admin_token_file, 4096));
  return install_admin_token(*store_, trim(token), clock_.unix_s())
      .with_context(config_.admin_token_file);
}

HttpResponse TrackerApp::handle(HttpRequest& req) {
  auto t0 = std::chrono::steady_clock::now();
  std::string route = "unmatched";
  HttpResponse res;
  Status s = parse_target(req.target, &req.path, &req.query);
  const bool web_seed = s.ok() && is_web_seed_path(req.path);
  if (!s.ok()) res = HttpResponse::from_status(s);
  else if (web_seed) res = serve_web_seed(*web_seed_, req), route = "/ws";
  else if (auto refused = refuse_cross_site(req)) res = std::move(*refused);
  else res = router_.dispatch(req, &route);
  apply_etag(req, res);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  metrics_.record_request(route, req.method, res.status, secs);
  // A web seed path carries a token (a bearer credential): its MAC is redacted.
  const std::string logged = web_seed ? redact_web_seed_path(req.path) : redact_secrets(req.target.substr(0, 256));
  spdlog::debug("req={} {} {} {} -> {} {:.1f}ms{}", req.request_id, req.remote_address, printable(req.method),
                printable(logged), res.status, secs * 1e3, req.rerun ? " (long-poll rerun)" : "");
  return res;
}

// The origin seed: started after the HTTP server (its announce URL needs the
// bound port), before the port file tells anyone the tracker is up. The API
// hooks are installed before the server runs and forward under origin_mu_.
Status TrackerApp::start_origin(uint16_t http_port) {
  if (!config_.origin.enabled) return Status();
  OriginOptions o = config_.origin;
  if (o.announce_url.empty() && !o.announce_key.empty()) {
    std::string host = config_.server.listen_address == "0.0.0.0" ? "127.0.0.1" : config_.server.listen_address;
    o.announce_url = std::string(config_.server.tls() ? "https://" : "http://") + host + ":" +
                     std::to_string(http_port) + "/announce";
  }
  o.insecure_plain_peers = config_.pki.insecure_plain_torrents;
  OriginSeeder::CertSource certs;
  if (!o.insecure_plain_peers) {
    BC_ASSIGN_OR_RETURN(pki::KeyPair tls_key, pki::generate_key());
    origin_tls_key_ = tls_key.private_pem;
    certs = [this] { return origin_certificate(); };
  }
  BC_ASSIGN_OR_RETURN(auto seeder, OriginSeeder::start(
                                       o, [this](uint64_t b) { metrics_.add_origin_bytes(b); }, std::move(certs)));
  {
    std::lock_guard<std::mutex> lock(origin_mu_);
    origin_ = std::move(seeder);
  }
  std::lock_guard<std::mutex> lock(origin_mu_);
  std::vector<std::string> revoked;
  BC_RETURN_IF_ERROR(store_->read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(revoked, live_revoked_serials(t, clock_.unix_s()));
    return Status();
  }));
  BC_RETURN_IF_ERROR(origin_->set_revoked_serials(std::move(revoked)));
  BC_ASSIGN_OR_RETURN(size_t n, seed_published_layers(*store_, key_->public_key(), config_.data_dir + "/origin",
                                                      *origin_));
  spdlog::info("origin: {} published layers queued for seeding", n);
  return Status();
}

// The origin seeds every published layer: its certificate names "*". Its
// key lives in memory only; a restart makes a new one. Runs on the origin's
// owner thread (TrackerCa::issue is thread-safe; the key is set before).
Result<OriginSeeder::PeerCertificate> TrackerApp::origin_certificate() {
  BC_ASSIGN_OR_RETURN(std::string public_pem, pki::public_key_of(origin_tls_key_));
  const int64_t now = clock_.unix_s(), lifetime = config_.pki.node_cert_lifetime_s;
  pki::CertSpec spec;
  spec.common_name = "origin";
  spec.dns_names = {"*"};
  spec.not_before_unix = now - config_.api.max_clock_skew_s;
  spec.not_after_unix = now + lifetime;
  BC_ASSIGN_OR_RETURN(std::string cert, ca_->issue(public_pem, spec));
  return OriginSeeder::PeerCertificate{cert, origin_tls_key_, now + lifetime / 2};
}

void TrackerApp::install_origin_hooks() {
  if (!config_.origin.enabled) return;
  ctx_->on_revoked_changed = [this](const std::vector<std::string>& serials) {
    std::lock_guard<std::mutex> lock(origin_mu_);
    if (origin_) (void)origin_->set_revoked_serials(serials);
  };
  ctx_->on_layer_published = [this](const TrustedManifest& l, const std::string& torrent, const std::string& dir) {
    std::lock_guard<std::mutex> lock(origin_mu_);
    if (origin_) {
      Status s = origin_->publish(l, torrent, dir);
      if (!s.ok()) spdlog::error("origin: {}", s.to_string());
    }
  };
  ctx_->on_layer_retired = [this](const LayerRef& ref) {
    std::lock_guard<std::mutex> lock(origin_mu_);
    if (origin_) (void)origin_->remove(ref);
  };
}

Result<uint16_t> TrackerApp::start() {
  install_origin_hooks();
  server_ = std::make_unique<HttpServer>(
      config_.server, [this](HttpRequest& req) { return handle(req); }, store_.get());
  BC_ASSIGN_OR_RETURN(uint16_t port, server_->start());
  web_seed_->set_own_port(port);
  metrics_.set_server_gauges([server = server_.get()] {
    return TrackerMetrics::HttpServerGauges{server->open_connections(), server->held_long_polls(),
                                            server->abandoned_long_polls(), server->refused_long_polls()};
  });
  BC_RETURN_IF_ERROR(start_origin(port));
  BC_RETURN_IF_ERROR(start_probe());
  if (!sampler_.joinable()) sampler_ = std::thread([this] { run_sampler(); });
  start_upload_sweep();
  log_listening(port);  // before the port file: whoever waits on it finds the CA fingerprint logged
  if (!config_.port_file.empty())
    BC_RETURN_IF_ERROR(write_file_atomic(config_.port_file, std::to_string(port) + "\n", 0644));
  return port;
}

Status TrackerApp::start_probe() {
  if (config_.probe_port == 0 || probe_) return Status();
  rtt_probe::EchoResponderOptions o;
  o.bind_address = config_.server.listen_address;
  o.port = config_.probe_port;
  BC_ASSIGN_OR_RETURN(auto responder, rtt_probe::EchoResponder::start(probe_io_, clock_, o));
  probe_port_ = responder->local_endpoint().port();
  probe_ = std::shared_ptr<rtt_probe::EchoResponder>(std::move(responder));
  probe_thread_ = std::thread([this] { probe_io_.run(); });
  spdlog::info("bc-tracker RTT echo responder on udp {}:{}", o.bind_address, probe_port_);
  return Status();
}

// Fills the rollout history: one sample now and every interval until stop().
// A failed read is logged and the next tick tries again.
void TrackerApp::run_sampler() {
  std::unique_lock<std::mutex> lock(sampler_mu_);
  while (!sampler_stop_) {
    lock.unlock();
    Status s = sample_rollout(*ctx_, history_);
    if (!s.ok()) spdlog::warn("rollout sampler: {}", s.to_string());
    lock.lock();
    sampler_cv_.wait_for(lock, std::chrono::seconds(config_.status_sample_interval_s),
                         [this] { return sampler_stop_; });
  }
}

void TrackerApp::start_upload_sweep() {
  if (sweep_thread_.joinable()) return;
  sweep_thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(sweep_mu_);
    while (!sweep_cv_.wait_for(lock, std::chrono::seconds(config_.upload.sweep_interval_s), [this] { return sweep_stop_; }))
      if (size_t n = uploads_->sweep()) spdlog::info("upload sweep removed {} stale staged upload(s)", n);
  });
}

void TrackerApp::stop() {
  metrics_.set_server_gauges(nullptr);  // the server may go before the metrics
  {
    std::lock_guard<std::mutex> lock(sampler_mu_);
    sampler_stop_ = true;
  }
  sampler_cv_.notify_all();
  if (sampler_.joinable()) sampler_.join();
  if (server_) server_->stop();
  {
    std::lock_guard<std::mutex> lock(sweep_mu_);
    sweep_stop_ = true;
  }
  sweep_cv_.notify_all();
  if (sweep_thread_.joinable()) sweep_thread_.join();
  if (probe_) std::static_pointer_cast<rtt_probe::EchoResponder>(probe_)->stop();
  probe_io_.stop();
  if (probe_thread_.joinable()) probe_thread_.join();
  probe_.reset();

  std::unique_ptr<OriginSeeder> origin;
  {
    std::lock_guard<std::mutex> lock(origin_mu_);
    origin = std::move(origin_);
  }
  origin.reset();  // outside the lock: joins the owner thread, saves resume data
}

}  // namespace bc::tracker
