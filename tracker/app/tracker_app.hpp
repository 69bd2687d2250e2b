// Wires the tracker together: store, auth, router with every API route,
// metrics, the peer registry and the HTTP server. main.cpp builds one from a
// config and runs it; tests can build one in-process on a temp directory.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "layers/crypto/ed25519.hpp"
#include "layers/util/clock.hpp"
#include "tracker/api/api_context.hpp"
#include "tracker/app/bt_frontend.hpp"
#include "tracker/config/config.hpp"
#include "tracker/http/http_server.hpp"
#include "tracker/origin/origin_seeder.hpp"
#include "tracker/pki/tracker_ca.hpp"
#include "tracker/service/status_history.hpp"
#include "tracker/webseed/web_seed_service.hpp"
#include "tracker/upload/upload_service.hpp"

namespace bc::tracker {

class TrackerApp {
 public:
  // Opens the store (DATA/db), loads the signing key, opens (or makes) the
  // tracker's CA in DATA/pki, installs the bootstrap admin token (if
  // configured) and builds the routes. Unless [server] tls_cert or
  // insecure_plain_http is set, the server will speak HTTPS with the
  // certificate the CA issues itself (DATA/pki/https.pem). Does not listen yet.
  static Result<std::unique_ptr<TrackerApp>> create(const TrackerConfig& config, const Clock& clock);
  ~TrackerApp();

  // Starts the HTTP server and, when [origin] is enabled, the origin seed
  // (seeding every published layer); returns the bound port (also written to
  // config.port_file when set, once both run).
  Result<uint16_t> start();
  void stop();

  // The seam for routes added later (announce/scrape): add before start().
  Router& router() { return router_; }
  ApiContext& context() { return *ctx_; }
  PeerRegistry& peers() { return peers_; }
  TrackerMetrics& metrics() { return metrics_; }
  // The tracker's CA (DATA/pki): the anchor nodes pin at enrollment, the
  // issuer of node and origin certificates, the root of every SSL torrent.
  const TrackerCa& ca() const { return *ca_; }
  // The server options in force (tls_cert/tls_key filled in from the CA
  // unless configured or insecure_plain_http).
  const ServerOptions& server_options() const { return config_.server; }
  Store& store() { return *store_; }
  BtFrontend& bt() { return *bt_; }
  // The RTT echo responder's UDP port (config probe_port), 0 when disabled.
  uint16_t probe_port() const { return probe_port_; }

  // The rollout history the sampler fills every [status] sample_interval_s
  // once start() ran (GET /api/v1/status/history).
  StatusHistory& status_history() { return history_; }

  // The origin seed, null unless [origin] is enabled and start() ran.
  // Not for use concurrently with stop().
  OriginSeeder* origin() { return origin_.get(); }

  // Runs one request through the full pipeline without sockets (target
  // parsing, routing, metrics, logging). Thread-safe.
  HttpResponse handle(HttpRequest& req);

 private:
  TrackerApp(const TrackerConfig& config, const Clock& clock) : config_(config), clock_(clock) {}
  Status install_bootstrap_token();
  Status open_ca();
  Status open_web_seed();
  void log_listening(uint16_t port) const;
  Status start_probe();
  void run_sampler();

  void install_origin_hooks();
  Status start_origin(uint16_t http_port);
  Result<OriginSeeder::PeerCertificate> origin_certificate();

  TrackerConfig config_;
  const Clock& clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SecretKey> key_;
  std::unique_ptr<TrackerCa> ca_;
  std::unique_ptr<Authenticator> auth_;
  std::string origin_tls_key_;  // the origin seed's TLS key, in memory only (a secret)
  TrackerMetrics metrics_;
  PeerRegistry peers_;
  std::unique_ptr<ApiContext> ctx_;
  Router router_;
  std::unique_ptr<BtFrontend> bt_;
  std::unique_ptr<WebSeedService> web_seed_;  // tokenized web seeds, set in create()
  std::unique_ptr<HttpServer> server_;
  // The RTT echo responder runs on its own io_context and thread.
  boost::asio::io_context probe_io_;
  std::shared_ptr<void> probe_;  // EchoResponder, type-erased to keep Asio UDP out of this header
  std::thread probe_thread_;
  uint16_t probe_port_ = 0;

  // The rollout sampler: a thread that calls sample_rollout every interval.
  StatusHistory history_;
  std::thread sampler_;
  std::mutex sampler_mu_;
  std::condition_variable sampler_cv_;
  bool sampler_stop_ = false;
  // Layer upload (docs/api.md "Upload") and its sweep of stale staging,
  // every [upload] sweep_interval_s on its own thread while the server runs.
  std::unique_ptr<UploadService> uploads_;
  std::thread sweep_thread_;
  std::mutex sweep_mu_;
  std::condition_variable sweep_cv_;
  bool sweep_stop_ = false;
  void start_upload_sweep();

  std::mutex origin_mu_;                  // guards origin_ (API hooks run on workers)
  std::unique_ptr<OriginSeeder> origin_;  // null unless [origin] enabled and started
};

// Installs the bootstrap admin token (plain text in `token`) with id
// "bootstrap" and role admin, replacing any earlier bootstrap token.
Status install_admin_token(Store& store, const std::string& token, int64_t now_unix_s);

}  // namespace bc::tracker
